import { Badge, Tooltip } from '@mantine/core';
import { STATUS_COLOR, sapCode } from '../status';
import type { MessageRecord } from '../types';

/** Our status with the SAP status code beside it (e.g. "dead · 68"). */
export function StatusBadge({
  message,
}: {
  readonly message: Pick<MessageRecord, 'status' | 'sapStatus' | 'direction' | 'statusText'>;
}) {
  return (
    <Tooltip label={message.statusText ?? message.status} disabled={!message.statusText} multiline w={360}>
      <Badge
        color={STATUS_COLOR[message.status]}
        variant="filled"
        radius="sm"
        data-status={message.status}
        styles={{ root: { flexShrink: 0, maxWidth: 'none' }, label: { overflow: 'visible' } }}
      >
        {message.status} · {sapCode(message)}
      </Badge>
    </Tooltip>
  );
}
