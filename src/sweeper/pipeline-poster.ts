/**
 * The OutboundPoster over the normal outbound path: the posting is emitted like every IDoc the
 * gateway creates (src/pipeline/outbound-idoc.ts `emitOutboundIdoc`, also used by the status
 * IDocs of src/pipeline/status-to-sap.ts): the posting becomes a stored outbound
 * message on channel `gateway:<port>` with the port's control-record defaults and a new DOCNUM,
 * its idempotency key and ordering key, and is admitted to the port's queue (or waits as
 * `blocked` behind the earlier posting of the same ordering key). On a port with SAP feedback a
 * posting holds its key until SAP reports it posted (53): the transfer back never goes out for a
 * receipt SAP rejected (51); that receipt waits as `sap-error` for a fix and a replay. A duplicate key returns the
 * stored message; one that was never queued (a crash right after storing) is admitted now.
 */
import { IdocgateError } from '../errors.js';
import { emitOutboundIdoc, type OutboundDeps } from '../pipeline/outbound-idoc.js';
import type { OutboundPoster, PostingRequest, PostingResult } from './poster.js';

export const POSTED_BY = 'sweeper:pushback';

export function pipelinePoster(deps: OutboundDeps): OutboundPoster {
  return {
    async post(request: PostingRequest): Promise<PostingResult> {
      const port = deps.config.ports[request.port];
      if (port === undefined) {
        throw new IdocgateError('CONFIG_INVALID', `sweeper.port "${request.port}" is not a configured port`);
      }
      const { control, segments } = request.step.idoc;
      const r = await emitOutboundIdoc(deps, {
        port: request.port,
        idocType: control.IDOCTYP ?? '',
        messageType: control.MESTYP ?? '',
        segments,
        orderingKey: request.step.orderingKey,
        // Where SAP reports back, the next step (the transfer) waits until SAP *posted* this one.
        ...(port.feedback.expect !== 'none' ? { releaseOn: 'posted' as const } : {}),
        idempotencyKey: request.step.idempotencyKey,
        searchKeys: request.searchKeys,
        text: `pushback ${request.delivery} ${request.step.name}`,
        by: POSTED_BY,
        statusText: `pushback of delivery ${request.delivery}: ${request.step.name}`,
      });
      return { messageId: r.message.id, duplicate: r.duplicate };
    },
  };
}
