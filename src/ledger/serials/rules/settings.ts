/** The settings every rule has (enabled, severity); each rule file adds its thresholds. */
import { z } from 'zod';

export const severitySchema = z.enum(['info', 'warning', 'critical']);

export function ruleSettings<T extends z.ZodRawShape>(
  shape: T,
  defaultSeverity: z.infer<typeof severitySchema>,
) {
  return z
    .strictObject({
      enabled: z.boolean().default(true),
      severity: severitySchema.default(defaultSeverity),
      ...shape,
    })
    .prefault({} as never);
}
