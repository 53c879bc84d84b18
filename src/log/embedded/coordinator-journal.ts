/**
 * The coordinator journal (`<dir>/coordinator.journal`): an append-only file of CRC-framed JSON
 * entries holding everything that is not record data — consumer-group offsets, transaction
 * commits (with the offsets added to them) and the producer epoch. Appending one entry is the
 * atomic decision point of a transaction: a transaction is committed iff its entry is intact.
 *
 * Frame: magic u32 'FSJ1' | length u32 (payload bytes) | crc32 u32 of payload | payload (utf8 JSON).
 * On open the journal is replayed; a torn last entry is cut; when the file grows large it is
 * rewritten as one snapshot entry (write temp, fsync, rename).
 */
import fs from 'node:fs';
import path from 'node:path';
import { crc32 } from 'node:zlib';
import { writeFileDurably } from './durable-file.ts';
import { corrupt, type RecoveryReport } from './segment.ts';

const MAGIC = 0x314a5346;
const FRAME_BYTES = 12;
const SNAPSHOT_THRESHOLD_BYTES = 8 << 20;

/** [topic, partition, offset] */
export type OffsetTriple = [string, number, number];

export type JournalEntry =
  | { t: 'epoch'; epoch: number }
  | { t: 'offsets'; group: string; offsets: OffsetTriple[] }
  | { t: 'commit'; txn: number; offsets: Record<string, OffsetTriple[]> }
  | { t: 'dropTopic'; topic: string }
  | { t: 'snapshot'; epoch: number; offsets: Record<string, OffsetTriple[]>; committed: number[] };

/** State rebuilt by replaying the journal. */
export interface CoordinatorState {
  epoch: number;
  /** group -> "topic\0partition" -> offset */
  offsets: Map<string, Map<string, number>>;
  committedTxns: Set<number>;
}

export function tpKey(topic: string, partition: number): string {
  return `${topic}\u0000${partition}`;
}

export function splitTpKey(key: string): [string, number] {
  const at = key.lastIndexOf('\u0000');
  return [key.slice(0, at), Number(key.slice(at + 1))];
}

export class CoordinatorJournal {
  readonly path: string;
  #fd: number;
  #size: number;
  /** Appended to without fdatasync since the last sync. */
  dirty = false;

  private constructor(file: string, fd: number, size: number) {
    this.path = file;
    this.#fd = fd;
    this.#size = size;
  }

  /**
   * Replays the journal. `isTxnReferenced` tells which transaction ids still have batches on disk:
   * outcomes of the others are forgotten, which keeps the committed set bounded.
   */
  static open(
    dir: string,
    isTxnReferenced: (txnId: number) => boolean = () => true,
  ): {
    journal: CoordinatorJournal;
    state: CoordinatorState;
    report?: RecoveryReport;
  } {
    const file = path.join(dir, 'coordinator.journal');
    const state: CoordinatorState = { epoch: 0, offsets: new Map(), committedTxns: new Set() };
    const bytes = fs.existsSync(file) ? fs.readFileSync(file) : Buffer.alloc(0);
    let pos = 0;
    let report: RecoveryReport | undefined;
    while (pos < bytes.length) {
      const len = bytes.length - pos >= FRAME_BYTES ? bytes.readUInt32LE(pos + 4) : -1;
      const intact =
        len >= 0 &&
        bytes.readUInt32LE(pos) === MAGIC &&
        pos + FRAME_BYTES + len <= bytes.length &&
        crc32(bytes.subarray(pos + FRAME_BYTES, pos + FRAME_BYTES + len)) === bytes.readUInt32LE(pos + 8);
      if (!intact) {
        const next = pos + FRAME_BYTES + Math.max(len, 0);
        if (len >= 0 && next + FRAME_BYTES <= bytes.length && bytes.readUInt32LE(next) === MAGIC) {
          throw corrupt(file, pos, 'journal entry failed its CRC check and is followed by intact entries');
        }
        report = { file, truncatedAt: pos, bytesCut: bytes.length - pos, reason: 'torn journal entry' };
        break;
      }
      apply(
        state,
        JSON.parse(bytes.toString('utf8', pos + FRAME_BYTES, pos + FRAME_BYTES + len)) as JournalEntry,
      );
      pos += FRAME_BYTES + len;
    }
    for (const txn of [...state.committedTxns]) if (!isTxnReferenced(txn)) state.committedTxns.delete(txn);
    if (report || pos > SNAPSHOT_THRESHOLD_BYTES) {
      writeSnapshot(file, state);
      pos = fs.statSync(file).size;
    }
    const fd = fs.openSync(file, fs.constants.O_RDWR | fs.constants.O_CREAT, 0o644);
    return { journal: new CoordinatorJournal(file, fd, pos), state, report };
  }

  append(entry: JournalEntry, sync: boolean): void {
    const payload = Buffer.from(JSON.stringify(entry), 'utf8');
    const frame = Buffer.allocUnsafe(FRAME_BYTES + payload.length);
    frame.writeUInt32LE(MAGIC, 0);
    frame.writeUInt32LE(payload.length, 4);
    frame.writeUInt32LE(crc32(payload), 8);
    payload.copy(frame, FRAME_BYTES);
    let done = 0;
    while (done < frame.length)
      done += fs.writeSync(this.#fd, frame, done, frame.length - done, this.#size + done);
    this.#size += frame.length;
    if (sync) fs.fdatasyncSync(this.#fd);
    else this.dirty = true;
  }

  sync(): void {
    fs.fdatasyncSync(this.#fd);
    this.dirty = false;
  }

  /** The descriptor to fdatasync in the background if something was appended unsynced (marks it clean). */
  takeDirtyFd(): number | undefined {
    if (!this.dirty) return undefined;
    this.dirty = false;
    return this.#fd;
  }

  close(): void {
    fs.closeSync(this.#fd);
  }
}

export function apply(state: CoordinatorState, entry: JournalEntry): void {
  switch (entry.t) {
    case 'epoch':
      state.epoch = Math.max(state.epoch, entry.epoch);
      break;
    case 'offsets':
      setOffsets(state, entry.group, entry.offsets);
      break;
    case 'commit':
      state.committedTxns.add(entry.txn);
      for (const group in entry.offsets) setOffsets(state, group, entry.offsets[group]);
      break;
    case 'dropTopic':
      for (const offsets of state.offsets.values()) {
        for (const key of offsets.keys()) if (splitTpKey(key)[0] === entry.topic) offsets.delete(key);
      }
      break;
    case 'snapshot':
      state.epoch = Math.max(state.epoch, entry.epoch);
      for (const group in entry.offsets) setOffsets(state, group, entry.offsets[group]);
      for (const txn of entry.committed) state.committedTxns.add(txn);
      break;
  }
}

function setOffsets(state: CoordinatorState, group: string, offsets: OffsetTriple[]): void {
  let byTp = state.offsets.get(group);
  if (!byTp) state.offsets.set(group, (byTp = new Map()));
  for (const [topic, partition, offset] of offsets) byTp.set(tpKey(topic, partition), offset);
}

function writeSnapshot(file: string, state: CoordinatorState): void {
  const offsets: Record<string, OffsetTriple[]> = {};
  for (const [group, byTp] of state.offsets) {
    offsets[group] = [...byTp].map(([key, offset]) => [...splitTpKey(key), offset] as OffsetTriple);
  }
  const entry: JournalEntry = {
    t: 'snapshot',
    epoch: state.epoch,
    offsets,
    committed: [...state.committedTxns],
  };
  const payload = Buffer.from(JSON.stringify(entry), 'utf8');
  const frame = Buffer.allocUnsafe(FRAME_BYTES + payload.length);
  frame.writeUInt32LE(MAGIC, 0);
  frame.writeUInt32LE(payload.length, 4);
  frame.writeUInt32LE(crc32(payload), 8);
  payload.copy(frame, FRAME_BYTES);
  writeFileDurably(file, frame);
}
