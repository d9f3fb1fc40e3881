/**
 * When a message counts as having happened for the ledgers (a receipt the store made, a goods
 * movement SAP took): SAP reported it posted (53), or it was delivered where no application status
 * is awaited (a port without SAP feedback, a partner's webhook). A message SAP rejected (51), or
 * one still waiting for SAP's word, does not count (docs/sap-feedback.md).
 */
export function settledSql(alias: string): string {
  return `(${alias}.status = 'posted' OR (${alias}.status = 'delivered' AND ${alias}.confirm_by IS NULL))`;
}
