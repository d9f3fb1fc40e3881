/** A table of plain records whose columns come from the data (ledger answers vary by module). */
import { Table, Text } from '@mantine/core';
import { fmtDate } from '../format';

function cell(v: unknown): string {
  if (v === null || v === undefined) return '';
  if (typeof v === 'string') return /^\d{4}-\d\d-\d\dT\d\d:\d\d/.test(v) ? fmtDate(v) : v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

export function RecordTable(props: {
  readonly rows: readonly unknown[];
  readonly columns?: readonly string[];
  readonly empty?: string;
  readonly testId?: string;
  readonly actions?: (row: Record<string, unknown>) => React.ReactNode;
}) {
  const rows = props.rows.filter((r): r is Record<string, unknown> => typeof r === 'object' && r !== null);
  if (rows.length === 0)
    return (
      <Text c="dimmed" size="sm">
        {props.empty ?? 'Nothing to show.'}
      </Text>
    );
  const columns = props.columns ?? [...new Set(rows.flatMap((r) => Object.keys(r)))];
  return (
    <Table.ScrollContainer minWidth={600}>
      <Table striped fz="sm" verticalSpacing={3} data-testid={props.testId}>
        <Table.Thead>
          <Table.Tr>
            {columns.map((c) => (
              <Table.Th key={c}>{c}</Table.Th>
            ))}
            {props.actions && <Table.Th />}
          </Table.Tr>
        </Table.Thead>
        <Table.Tbody>
          {rows.map((r, i) => (
            <Table.Tr key={i}>
              {columns.map((c) => (
                <Table.Td key={c} maw={360} style={{ overflowWrap: 'anywhere' }}>
                  {cell(r[c])}
                </Table.Td>
              ))}
              {props.actions && <Table.Td>{props.actions(r)}</Table.Td>}
            </Table.Tr>
          ))}
        </Table.Tbody>
      </Table>
    </Table.ScrollContainer>
  );
}

/** The first array found under one of `names` in an answer object. */
export function arrayOf(answer: unknown, ...names: string[]): unknown[] {
  if (Array.isArray(answer)) return answer;
  if (typeof answer !== 'object' || answer === null) return [];
  const o = answer as Record<string, unknown>;
  for (const n of names) {
    const v = o[n];
    if (Array.isArray(v)) return v;
  }
  return [];
}
