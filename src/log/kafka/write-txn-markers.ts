/**
 * WriteTxnMarkers (API 27, version 1): what a transaction coordinator sends a partition leader to end
 * a transaction there, and what Kafka's `Admin.abortTransaction` (KIP-664, `kafka-transactions.sh
 * abort`) sends to end a hanging one. The client library has no encoder for it (it is the brokers'
 * own API), so this file is the request and response layout of WriteTxnMarkersRequest.json v1.
 *
 * @example
 *   await writeTxnMarkers.async(connection, [{ producerId, producerEpoch, commit: false,
 *     topics: [{ name: 'changelog', partitions: [0] }], coordinatorEpoch }]);
 */
import { createAPI, type Reader, ResponseError, Writer } from '@platformatic/kafka';

export interface TxnMarker {
  producerId: bigint;
  producerEpoch: number;
  /** false writes an ABORT marker */
  commit: boolean;
  topics: Array<{ name: string; partitions: number[] }>;
  coordinatorEpoch: number;
}

function createRequest(markers: TxnMarker[]): Writer {
  return Writer.create()
    .appendArray(markers, (w, m) => {
      w.appendInt64(m.producerId)
        .appendInt16(m.producerEpoch)
        .appendBoolean(m.commit)
        .appendArray(m.topics, (wt, t) => {
          wt.appendString(t.name).appendArray(t.partitions, (wp, p) => wp.appendInt32(p), true, false);
        })
        .appendInt32(m.coordinatorEpoch);
    })
    .appendTaggedFields();
}

interface WriteTxnMarkersResponse {
  markers: Array<{
    producerId: bigint;
    topics: Array<{ name: string; partitions: Array<{ partition: number; errorCode: number }> }>;
  }>;
}

function parseResponse(
  _correlationId: number,
  apiKey: number,
  apiVersion: number,
  reader: Reader,
): WriteTxnMarkersResponse {
  const errors: Array<[string, [number, null]]> = [];
  const response: WriteTxnMarkersResponse = {
    markers: reader.readArray((r) => ({
      producerId: r.readInt64(),
      topics: r.readArray((rt) => ({
        name: rt.readString(),
        partitions: rt.readArray((rp) => {
          const partition = { partition: rp.readInt32(), errorCode: rp.readInt16() };
          if (partition.errorCode !== 0)
            errors.push([`/partitions/${partition.partition}`, [partition.errorCode, null]]);
          return partition;
        }),
      })),
    })),
  };
  reader.readTaggedFields();
  if (errors.length > 0) throw new ResponseError(apiKey, apiVersion, Object.fromEntries(errors), response);
  return response;
}

export const writeTxnMarkers = createAPI<[markers: TxnMarker[]], WriteTxnMarkersResponse>(
  27,
  1,
  createRequest,
  parseResponse,
);
