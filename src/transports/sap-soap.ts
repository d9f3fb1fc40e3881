/**
 * `sap-soap`: POST one IDoc in a SOAP 1.1 envelope to SAP's IDoc-SOAP service
 * (`/sap/bc/srt/idoc?sap-client=NNN`). SAP deduplicates by the message id the codec writes into
 * EDI_DC40-ARCKEY (`urn:sap.com:msgid=<32 hex>`), so a retried delivery is processed once; this
 * transport refuses deliveries without it. A SOAP fault is classified by its code and text.
 */
import { z } from 'zod';
import { createHttpClient } from './http-client.js';
import { deliverOverHttp } from './http-delivery.js';
import { bodyBytes, printableUrl } from './options.js';
import { checkSapHttpOptions, sapEndpoint, sapHttpOptionsShape } from './sap-http-options.js';
import { classifySoapFault, parseSoapFault } from './soap-fault.js';
import { redact, TransportError } from './transport-error.js';
import type { CreatedTransport, OutboundDelivery, TransportDefinition } from './types.js';
import { SOAP_MSGID_PREFIX } from '../idoc/soap.js';

// The ARCKEY message id is part of the IDoc-SOAP format (src/idoc/soap.ts); re-exported here.
export { SOAP_MSGID_PREFIX, soapMessageId } from '../idoc/soap.js';

export const IDOC_SOAP_NAMESPACE = 'urn:sap-com:document:sap:idoc:soap:messages';
const SOAP11_ENV = 'http://schemas.xmlsoap.org/soap/envelope/';

export const sapSoapOptionsSchema = z
  .object({
    ...sapHttpOptionsShape,
    soapAction: z.string().default('http://sap.com/xi/WebService/soap1.1'),
    /** `auto`: wrap the body in a SOAP envelope unless it already is one; `never`: send as is. */
    envelope: z.enum(['auto', 'never']).default('auto'),
  })
  .strict()
  .superRefine(checkSapHttpOptions);

export type SapSoapOptions = z.output<typeof sapSoapOptionsSchema>;

function bodyText(body: string | Uint8Array): string {
  if (typeof body === 'string') return body;
  const head = Buffer.from(body.buffer, body.byteOffset, Math.min(body.byteLength, 200)).toString('latin1');
  const latin1 = /encoding=["'](iso-8859-1|latin1)["']/i.test(head);
  return Buffer.from(body.buffer, body.byteOffset, body.byteLength).toString(latin1 ? 'latin1' : 'utf8');
}

/** Wraps an IDoc-SOAP document in a SOAP 1.1 envelope (dropping its XML declaration). */
export function wrapInSoapEnvelope(idocXml: string): string {
  const inner = idocXml.replace(/^\uFEFF?\s*<\?xml[^?]*\?>\s*/, '');
  return (
    `<?xml version="1.0" encoding="utf-8"?>` +
    `<soapenv:Envelope xmlns:soapenv="${SOAP11_ENV}"><soapenv:Header/><soapenv:Body>` +
    inner +
    `</soapenv:Body></soapenv:Envelope>`
  );
}

/** Checks the delivery carries the exactly-once message id and the IDoc-SOAP namespace. */
export function checkSoapDelivery(delivery: OutboundDelivery, text: string): void {
  const arckey = delivery.arckey?.trim() ?? '';
  const fail = (message: string, code: string): never => {
    throw new TransportError('TRANSPORT_DELIVERY_INVALID', message, {
      issues: [{ code, message, path: 'EDI_DC40.ARCKEY' }],
    });
  };
  if (!arckey.startsWith(SOAP_MSGID_PREFIX) || arckey.length === SOAP_MSGID_PREFIX.length) {
    fail(
      `IDoc-SOAP needs ARCKEY "${SOAP_MSGID_PREFIX}<32 hex>" so SAP can drop duplicates; got "${arckey}"`,
      'SOAP_MSGID_MISSING',
    );
  }
  if (!text.includes(arckey))
    fail(`the encoded IDoc does not contain ARCKEY ${arckey}`, 'SOAP_MSGID_NOT_IN_BODY');
  if (!text.includes(IDOC_SOAP_NAMESPACE)) {
    fail(`the IDoc root must carry the namespace ${IDOC_SOAP_NAMESPACE}`, 'SOAP_NAMESPACE_MISSING');
  }
}

export const sapSoapTransport: TransportDefinition<typeof sapSoapOptionsSchema> = {
  kind: 'sap-soap',
  description: 'IDoc-SOAP POST to SAP /sap/bc/srt/idoc (basic auth, sap-client, message id in ARCKEY)',
  // IDoc-SOAP: IDoc-XML in the IDoc-SOAP namespace with the ARCKEY message id
  wireFormat: 'soap-xml',
  optionsSchema: sapSoapOptionsSchema,
  create(options, deps): CreatedTransport {
    const { url, authorization, secrets } = sapEndpoint(options, deps);
    const client = createHttpClient({ url, tls: options.tls });
    const receiver = `SAP IDoc-SOAP ${printableUrl(url)}`;
    return {
      kind: 'sap-soap',
      // SAP message EA728: each IDoc is received once ("Exactly Once") by the ARCKEY message id.
      receiverDropsDuplicates: true,
      async send(delivery, signal) {
        const text = bodyText(delivery.body);
        checkSoapDelivery(delivery, text);
        const isEnvelope = /<([A-Za-z_][\w.-]*:)?Envelope[\s>]/.test(text.slice(0, 2000));
        const body =
          options.envelope === 'auto' && !isEnvelope
            ? Buffer.from(wrapInSoapEnvelope(text), 'utf8')
            : bodyBytes(delivery.body);
        return deliverOverHttp({
          client,
          clock: deps.clock,
          logger: deps.logger,
          url,
          method: 'POST',
          headers: {
            ...options.headers,
            ...delivery.headers,
            'content-type': 'text/xml; charset=utf-8',
            soapaction: `"${options.soapAction}"`,
            authorization,
          },
          body,
          timeoutMs: options.timeout,
          signal,
          receiver,
          secrets,
          messageId: delivery.messageId,
          remoteReference: () => delivery.arckey,
          inspect(outcome, fullBody) {
            // Auth statuses stay auth errors even when SAP wraps them in a fault.
            if (outcome.status === 401 || outcome.status === 403) return undefined;
            const fault = parseSoapFault(fullBody);
            if (fault === undefined) return undefined;
            const code = classifySoapFault(fault);
            const reason = redact(fault.reason, secrets);
            return new TransportError(
              code,
              `${receiver} answered HTTP ${outcome.status} with SOAP fault ${fault.code || '(no code)'}: ${reason}`,
              { status: outcome.status, responseExcerpt: outcome.excerpt },
            );
          },
        });
      },
      close() {
        client.close();
        return Promise.resolve();
      },
    };
  },
};
