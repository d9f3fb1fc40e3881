/**
 * What an SAP inbound IDoc status, reported back by SAP's ALE audit (ALEAUD01) or a STATUS IDoc
 * (SYSTAT01), means for the message the gateway sent. Data, with the standard meanings of SAP's
 * status table (TEDS2; ../shared/reference/IDOC-FORMAT.md §7, docs/sap-feedback.md):
 *
 *   posted     the application document was posted (53)
 *   sap-error  SAP could not post it and will not on its own: a person must correct and resend,
 *              or reprocess in SAP (BD87), which reports again
 *   progress   a step on the way (added, passed to the application, waiting in a queue...)
 *
 * A port may read a code differently (`ports.<name>.feedback.codes`), e.g. 52 "not fully
 * posted" as posted where the missing part is posted by hand in SAP.
 */
export type FeedbackOutcome = 'posted' | 'sap-error' | 'progress';

export const SAP_INBOUND_STATUS: Readonly<
  Record<string, { readonly text: string; readonly outcome: FeedbackOutcome }>
> = {
  '50': { text: 'IDoc added', outcome: 'progress' },
  '51': { text: 'Application document not posted', outcome: 'sap-error' },
  '52': { text: 'Application document not fully posted', outcome: 'sap-error' },
  '53': { text: 'Application document posted', outcome: 'posted' },
  '54': { text: 'Error during formal application check', outcome: 'sap-error' },
  '55': { text: 'Formal application check OK', outcome: 'progress' },
  '56': { text: 'IDoc with errors added', outcome: 'sap-error' },
  '57': { text: 'Test IDoc: error during application check', outcome: 'sap-error' },
  '58': { text: 'IDoc copy from R/2 connection', outcome: 'progress' },
  '60': { text: 'Error during syntax check of IDoc (inbound)', outcome: 'sap-error' },
  '61': { text: 'Processing despite syntax error (inbound)', outcome: 'progress' },
  '62': { text: 'IDoc passed to application', outcome: 'progress' },
  '63': { text: 'Error passing IDoc to application', outcome: 'sap-error' },
  '64': { text: 'IDoc ready to be transferred to application', outcome: 'progress' },
  '65': { text: 'Error in ALE service', outcome: 'sap-error' },
  '66': { text: 'IDoc is waiting for predecessor IDoc (serialization)', outcome: 'progress' },
  '68': { text: 'Error - no further processing', outcome: 'sap-error' },
  '69': { text: 'IDoc was edited', outcome: 'progress' },
  '70': { text: 'Original of an IDoc which was edited', outcome: 'progress' },
  '71': { text: 'IDoc reloaded from archive', outcome: 'progress' },
  '73': { text: 'IDoc archived', outcome: 'progress' },
  '74': { text: 'IDoc was created by test transaction', outcome: 'progress' },
  '75': { text: 'IDoc is in inbound queue', outcome: 'progress' },
};

/**
 * The outcome of a reported status, with the port's own reading first. Unknown codes (outbound
 * ones such as 03 or 12 in a misdirected report) are progress: recorded, never taken as posted.
 */
export function feedbackOutcome(
  status: string,
  overrides: Readonly<Record<string, FeedbackOutcome>> = {},
): FeedbackOutcome {
  const code = status.trim().padStart(2, '0');
  return overrides[code] ?? SAP_INBOUND_STATUS[code]?.outcome ?? 'progress';
}
