import { Alert } from '@mantine/core';
import { ApiError, errorText } from '../api';

/** An API error; a missing endpoint is said plainly (some gateways run without a module). */
export function ErrorAlert({ error, what }: { readonly error: unknown; readonly what?: string }) {
  if (error instanceof ApiError && error.status === 404 && error.problem.code === 'ROUTE_NOT_FOUND')
    return (
      <Alert color="gray" title="Not available">
        {what ?? 'This part of the API'} is not enabled on this gateway.
      </Alert>
    );
  return (
    <Alert color="red" title="Error" data-testid="error-alert">
      {errorText(error)}
    </Alert>
  );
}
