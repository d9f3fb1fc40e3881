/**
 * A small chart drawn as inline SVG (no chart library): shaded bands (prediction intervals),
 * lines, bars, and horizontal / vertical reference lines over a numeric x axis, with a legend.
 * Gaps (null) break lines and bands. Every layer carries a data-testid so tests can read what
 * was drawn.
 */
import { Group, Text } from '@mantine/core';

export type Layer =
  | {
      readonly kind: 'band';
      readonly id: string;
      readonly label: string;
      readonly color: string;
      readonly lower: readonly (number | null)[];
      readonly upper: readonly (number | null)[];
    }
  | {
      readonly kind: 'line';
      readonly id: string;
      readonly label: string;
      readonly color: string;
      readonly values: readonly (number | null)[];
      readonly dashed?: boolean;
      readonly dots?: boolean;
    }
  | {
      readonly kind: 'bars';
      readonly id: string;
      readonly label: string;
      readonly color: string;
      readonly values: readonly (number | null)[];
    }
  | {
      readonly kind: 'hline';
      readonly id: string;
      readonly label: string;
      readonly color: string;
      readonly y: number;
    }
  | {
      readonly kind: 'vline';
      readonly id: string;
      readonly label: string;
      readonly color: string;
      readonly x: number;
    };

export interface SvgChartProps {
  /** x value of each data index (days since epoch, lead-time days, ...). */
  readonly xs: readonly number[];
  readonly layers: readonly Layer[];
  readonly xLabel: (x: number) => string;
  readonly yUnit?: string;
  readonly height?: number;
  /** Width of one bar in x units (bars only; default the smallest x step). */
  readonly barWidth?: number;
  readonly testId?: string;
  readonly title?: string;
}

const W = 960;
const PAD = { left: 56, right: 16, top: 22, bottom: 36 };

/** Round tick steps (1, 2, 5 × 10^n) for about `count` ticks over [lo, hi]. */
export function niceTicks(lo: number, hi: number, count = 5): number[] {
  if (!(hi > lo)) return [lo];
  const raw = (hi - lo) / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  const step = [1, 2, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? raw;
  const out: number[] = [];
  for (let t = Math.ceil(lo / step) * step; t <= hi + step * 1e-9; t += step)
    out.push(Number(t.toPrecision(12)));
  return out;
}

function finite(values: readonly (number | null)[]): number[] {
  return values.filter((v): v is number => v !== null && Number.isFinite(v));
}

/** SVG path of a line through the non-null points; a null starts a new segment. */
function linePath(
  xs: readonly number[],
  values: readonly (number | null)[],
  sx: (x: number) => number,
  sy: (y: number) => number,
): string {
  let d = '';
  let pen = false;
  values.forEach((v, i) => {
    const x = xs[i];
    if (v === null || x === undefined || !Number.isFinite(v)) {
      pen = false;
      return;
    }
    d += `${pen ? 'L' : 'M'}${sx(x).toFixed(1)},${sy(v).toFixed(1)}`;
    pen = true;
  });
  return d;
}

/** Closed areas between lower and upper over each run of non-null days. */
function bandPath(
  xs: readonly number[],
  lower: readonly (number | null)[],
  upper: readonly (number | null)[],
  sx: (x: number) => number,
  sy: (y: number) => number,
): string {
  let d = '';
  let run: number[] = [];
  const flush = (): void => {
    if (run.length === 0) return;
    const top = run.map(
      (i, k) => `${k === 0 ? 'M' : 'L'}${sx(xs[i]!).toFixed(1)},${sy(upper[i]!).toFixed(1)}`,
    );
    const bottom = [...run].reverse().map((i) => `L${sx(xs[i]!).toFixed(1)},${sy(lower[i]!).toFixed(1)}`);
    d += `${top.join('')}${bottom.join('')}Z`;
    run = [];
  };
  xs.forEach((_, i) => {
    if (lower[i] === null || upper[i] === null || lower[i] === undefined || upper[i] === undefined) flush();
    else run.push(i);
  });
  flush();
  return d;
}

export function SvgChart(props: SvgChartProps) {
  const H = props.height ?? 260;
  const xs = props.xs;
  const ys: number[] = [0];
  const xsAll: number[] = [...xs];
  for (const l of props.layers) {
    if (l.kind === 'band') ys.push(...finite(l.lower), ...finite(l.upper));
    else if (l.kind === 'line' || l.kind === 'bars') ys.push(...finite(l.values));
    else if (l.kind === 'hline') ys.push(l.y);
    else xsAll.push(l.x);
  }
  const steps = xs.slice(1).map((x, i) => x - xs[i]!);
  const barWidth = props.barWidth ?? (steps.length > 0 ? Math.min(...steps) : 1);
  const hasBars = props.layers.some((l) => l.kind === 'bars');
  const x0 = Math.min(...xsAll) - (hasBars ? barWidth / 2 : 0);
  const x1 = Math.max(...xsAll) + (hasBars ? barWidth / 2 : 0);
  const yTicks = niceTicks(Math.min(...ys), Math.max(...ys) * 1.05 || 1);
  const y0 = Math.min(...yTicks, ...ys);
  const y1 = Math.max(...yTicks, ...ys);
  const sx = (x: number): number => PAD.left + ((x - x0) / (x1 - x0 || 1)) * (W - PAD.left - PAD.right);
  const sy = (y: number): number => H - PAD.bottom - ((y - y0) / (y1 - y0 || 1)) * (H - PAD.top - PAD.bottom);
  const xTicks = niceTicks(x0, x1, 8).filter((t) => t >= x0 && t <= x1);
  return (
    <div data-testid={props.testId}>
      {props.title && (
        <Text size="sm" fw={500}>
          {props.title}
        </Text>
      )}
      <svg
        viewBox={`0 0 ${W} ${H}`}
        width="100%"
        role="img"
        aria-label={props.title ?? 'chart'}
        style={{ maxWidth: W, display: 'block' }}
      >
        {yTicks.map((t) => (
          <g key={`y${t}`}>
            <line x1={PAD.left} x2={W - PAD.right} y1={sy(t)} y2={sy(t)} stroke="#e9ecef" />
            <text x={PAD.left - 6} y={sy(t) + 4} fontSize={11} textAnchor="end" fill="#495057">
              {t}
            </text>
          </g>
        ))}
        {xTicks.map((t) => (
          <text
            key={`x${t}`}
            x={sx(t)}
            y={H - PAD.bottom + 16}
            fontSize={11}
            textAnchor="middle"
            fill="#495057"
          >
            {props.xLabel(t)}
          </text>
        ))}
        <line x1={PAD.left} x2={W - PAD.right} y1={sy(y0)} y2={sy(y0)} stroke="#868e96" />
        {props.yUnit && (
          <text x={8} y={12} fontSize={11} fill="#495057">
            {props.yUnit}
          </text>
        )}
        {props.layers.map((l) => {
          switch (l.kind) {
            case 'band':
              return (
                <path
                  key={l.id}
                  data-testid={`layer-${l.id}`}
                  d={bandPath(xs, l.lower, l.upper, sx, sy)}
                  fill={l.color}
                  fillOpacity={0.22}
                  stroke="none"
                />
              );
            case 'line':
              return (
                <g key={l.id} data-testid={`layer-${l.id}`} data-points={finite(l.values).length}>
                  <path
                    d={linePath(xs, l.values, sx, sy)}
                    fill="none"
                    stroke={l.color}
                    strokeWidth={2}
                    strokeDasharray={l.dashed ? '6 4' : undefined}
                  />
                  {l.dots &&
                    l.values.map((v, i) =>
                      v === null ? null : (
                        <circle key={i} cx={sx(xs[i]!)} cy={sy(v)} r={2.5} fill={l.color} />
                      ),
                    )}
                </g>
              );
            case 'bars': {
              const w = Math.max(1, sx(x0 + barWidth) - sx(x0) - 2);
              return (
                <g key={l.id} data-testid={`layer-${l.id}`} data-points={finite(l.values).length}>
                  {l.values.map((v, i) =>
                    v === null || v === 0 ? null : (
                      <rect
                        key={i}
                        x={sx(xs[i]!) - w / 2}
                        y={sy(v)}
                        width={w}
                        height={Math.max(0, sy(y0) - sy(v))}
                        fill={l.color}
                        fillOpacity={0.75}
                      >
                        <title>{`${props.xLabel(xs[i]!)}: ${v}`}</title>
                      </rect>
                    ),
                  )}
                </g>
              );
            }
            case 'hline':
              return (
                <line
                  key={l.id}
                  data-testid={`layer-${l.id}`}
                  x1={PAD.left}
                  x2={W - PAD.right}
                  y1={sy(l.y)}
                  y2={sy(l.y)}
                  stroke={l.color}
                  strokeWidth={1.5}
                  strokeDasharray="4 3"
                />
              );
            case 'vline':
              return (
                <line
                  key={l.id}
                  data-testid={`layer-${l.id}`}
                  x1={sx(l.x)}
                  x2={sx(l.x)}
                  y1={PAD.top}
                  y2={H - PAD.bottom}
                  stroke={l.color}
                  strokeWidth={1.5}
                  strokeDasharray="4 3"
                />
              );
          }
        })}
      </svg>
      <Group gap="md" mt={4}>
        {props.layers.map((l) => (
          <Group key={l.id} gap={4}>
            <span
              style={{
                display: 'inline-block',
                width: 14,
                height: l.kind === 'band' || l.kind === 'bars' ? 10 : 3,
                background: l.color,
                opacity: l.kind === 'band' ? 0.35 : 1,
              }}
            />
            <Text size="xs">{l.label}</Text>
          </Group>
        ))}
      </Group>
    </div>
  );
}
