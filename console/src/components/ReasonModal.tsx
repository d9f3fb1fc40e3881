import { useState } from 'react';
import { Alert, Button, Group, Modal, Stack, Text, Textarea } from '@mantine/core';
import { errorText } from '../api';

/** Asks for the reason every operator action needs (it goes to the audit log). */
export function ReasonModal(props: {
  readonly opened: boolean;
  readonly title: string;
  readonly action: string;
  readonly color?: string;
  readonly description?: string;
  readonly onClose: () => void;
  readonly onConfirm: (reason: string) => Promise<void>;
}) {
  const [reason, setReason] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  return (
    <Modal opened={props.opened} onClose={props.onClose} title={props.title}>
      <Stack>
        {props.description && <Text size="sm">{props.description}</Text>}
        <Textarea
          label="Reason (kept in the audit log)"
          value={reason}
          onChange={(e) => setReason(e.currentTarget.value)}
          minRows={2}
          autosize
          data-autofocus
          required
        />
        {error && <Alert color="red">{error}</Alert>}
        <Group justify="flex-end">
          <Button variant="default" onClick={props.onClose}>
            Close
          </Button>
          <Button
            color={props.color ?? 'blue'}
            disabled={reason.trim() === ''}
            loading={busy}
            onClick={() => {
              setBusy(true);
              setError(null);
              props
                .onConfirm(reason.trim())
                .then(() => {
                  setReason('');
                  props.onClose();
                })
                .catch((e: unknown) => setError(errorText(e)))
                .finally(() => setBusy(false));
            }}
          >
            {props.action}
          </Button>
        </Group>
      </Stack>
    </Modal>
  );
}
