/**
 * The OutboundPoster over the normal outbound path, the same way the pipeline sends the status
 * IDocs it creates itself (src/pipeline/status-to-sap.ts): the posting becomes a stored outbound
 * message on channel `gateway:<port>` with the port's control-record defaults and a new DOCNUM,
 * its idempotency key and ordering key, and is admitted to the port's queue (or waits as
 * `blocked` behind the earlier posting of the same ordering key). On a port with SAP feedback a
 * posting holds its key until SAP reports it posted (53): the transfer back never goes out for a
 * receipt SAP rejected (51); that receipt waits as `sap-error` for a fix and a replay. A duplicate key returns the
 * stored message; one that was never queued (a crash right after storing) is admitted now.
 */
import type { Config } from '../config/schema.js';
import { IdocgateError } from '../errors.js';
import type { Idoc } from '../idoc/model.js';
import type { PipelineDeps } from '../pipeline/deps.js';
import { admit } from '../pipeline/ordering.js';
import { outboundControl } from '../pipeline/outbound-idoc.js';
import { idocToJson } from '../pipeline/wire.js';
import type { OutboundPoster, PostingRequest, PostingResult } from './poster.js';

export const POSTED_BY = 'sweeper:pushback';

export function pipelinePoster(
  deps: Pick<PipelineDeps, 'store' | 'queue' | 'logger' | 'clock'> & {
    readonly config: Pick<Config, 'ports' | 'timeZone'>;
  },
): OutboundPoster {
  return {
    async post(request: PostingRequest): Promise<PostingResult> {
      const port = deps.config.ports[request.port];
      if (port === undefined) {
        throw new IdocgateError('CONFIG_INVALID', `sweeper.port "${request.port}" is not a configured port`);
      }
      const existing = await deps.store.getByIdempotencyKey('', request.step.idempotencyKey);
      if (existing !== undefined) {
        if (existing.status === 'received') await admit(deps, existing, POSTED_BY);
        return { messageId: existing.id, duplicate: true };
      }
      const { control, segments } = request.step.idoc;
      const idocType = control.IDOCTYP ?? '';
      const messageType = control.MESTYP ?? '';
      const docnum = await deps.store.nextIdocNumber();
      const idoc: Idoc = {
        control: outboundControl(
          port,
          {},
          { docnum, idocType, messageType, now: deps.clock.now(), timeZone: deps.config.timeZone },
        ),
        segments,
      };
      const json = idocToJson(idoc);
      const r = await deps.store.receive({
        direction: 'out',
        channel: `gateway:${request.port}`,
        idocType,
        messageType,
        docnum,
        ...(idoc.control.SNDPRN !== undefined
          ? { sender: { prt: idoc.control.SNDPRT ?? '', prn: idoc.control.SNDPRN } }
          : {}),
        ...(idoc.control.RCVPRN !== undefined
          ? { receiver: { prt: idoc.control.RCVPRT ?? '', prn: idoc.control.RCVPRN } }
          : {}),
        orderingKey: request.step.orderingKey,
        // Where SAP reports back, the next step (the transfer) waits until SAP *posted* this one.
        ...(port.feedback.expect !== 'none' ? { releaseOn: 'posted' as const } : {}),
        idempotencyKey: request.step.idempotencyKey,
        // The raw is canonical JSON already: no parsed copy (docs/store.md).
        raw: { format: 'json', content: json, contentType: 'application/json' },
        searchKeys: request.searchKeys,
        text: `pushback ${request.delivery} ${request.step.name}`,
        by: POSTED_BY,
        statusText: `pushback of delivery ${request.delivery}: ${request.step.name}`,
      });
      if (!r.duplicate || r.message.status === 'received') await admit(deps, r.message, POSTED_BY);
      return { messageId: r.message.id, duplicate: r.duplicate };
    },
  };
}
