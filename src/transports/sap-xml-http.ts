/**
 * `sap-xml-http`: POST IDoc-XML to SAP's XML-HTTP service (`/sap/bc/idoc_xml`, SICF), basic
 * auth, `?sap-client=NNN`. SAP answers 200 when the IDoc was created (visible in WE02). Takes
 * packets: one IDoc-XML document with several <IDOC> elements (a port's `packSize`).
 */
import { z } from 'zod';
import { createHttpClient } from './http-client.js';
import { deliverOverHttp } from './http-delivery.js';
import { bodyBytes, printableUrl } from './options.js';
import { checkSapHttpOptions, sapEndpoint, sapHttpOptionsShape } from './sap-http-options.js';
import type { CreatedTransport, TransportDefinition } from './types.js';

export const sapXmlHttpOptionsSchema = z
  .object({
    ...sapHttpOptionsShape,
    contentType: z
      .enum(['application/x-sap.idoc', 'text/xml; charset=utf-8', 'application/xml; charset=utf-8'])
      .default('application/x-sap.idoc'),
  })
  .strict()
  .superRefine(checkSapHttpOptions);

export type SapXmlHttpOptions = z.output<typeof sapXmlHttpOptionsSchema>;

export const sapXmlHttpTransport: TransportDefinition<typeof sapXmlHttpOptionsSchema> = {
  kind: 'sap-xml-http',
  description: 'IDoc-XML over HTTP POST to SAP /sap/bc/idoc_xml (basic auth, sap-client)',
  // IDoc-XML (SAP's XML-HTTP port reads every <IDOC> of a document)
  wireFormat: 'xml',
  optionsSchema: sapXmlHttpOptionsSchema,
  create(options, deps): CreatedTransport {
    const { url, authorization, secrets } = sapEndpoint(options, deps);
    const client = createHttpClient({ url, tls: options.tls });
    const receiver = `SAP XML-HTTP ${printableUrl(url)}`;
    return {
      kind: 'sap-xml-http',
      // CL_HTTP_IDOC_XML_REQUEST reads every <IDOC> of the document (docs/sap-status-sources.md §6).
      acceptsPackets: true,
      async send(delivery, signal) {
        return deliverOverHttp({
          client,
          clock: deps.clock,
          logger: deps.logger,
          url,
          method: 'POST',
          headers: {
            ...options.headers,
            ...delivery.headers,
            'content-type': options.contentType,
            authorization,
          },
          body: bodyBytes(delivery.body),
          timeoutMs: options.timeout,
          signal,
          receiver,
          secrets,
          messageId: delivery.messageId,
        });
      },
      close() {
        client.close();
        return Promise.resolve();
      },
    };
  },
};
