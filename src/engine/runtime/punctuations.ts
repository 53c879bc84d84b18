/**
 * The punctuators scheduled in one task (`ProcessorContext.schedule`): stream-time ones fire when a
 * record advances stream time past their next due time, wall-clock ones when the runtime (or the
 * TestDriver) passes the clock. A punctuator that throws fails the task with FS_PROCESSING.
 */
import { FraudstreamError } from '../../errors.ts';
import type { PunctuationType, Punctuator } from '../processor/types.ts';
import type { NodeRuntime } from './node-runtime.ts';

export interface Punctuation {
  type: PunctuationType;
  interval: number;
  /** Next due time; -1 for a stream-time punctuation not yet started (starts at the first stream time). */
  next: number;
  fn: Punctuator;
  cancelled: boolean;
  node: NodeRuntime;
}

export class Punctuations {
  /** Stream time at the last stream-time check (the task checks again only once it advances). */
  lastStreamTime = -1;
  private readonly list: Punctuation[] = [];
  private readonly taskId: string;
  /** Called before a punctuator runs (it may write stores and emit records). */
  private readonly beforeRun: () => void;

  constructor(taskId: string, beforeRun: () => void) {
    this.taskId = taskId;
    this.beforeRun = beforeRun;
  }

  add(p: Punctuation): void {
    this.list.push(p);
  }

  /** Fires due stream-time punctuators. */
  streamTime(streamTime: number): void {
    this.lastStreamTime = streamTime;
    for (const p of this.list) {
      if (p.cancelled || p.type !== 'stream-time') continue;
      if (p.next < 0) p.next = streamTime;
      if (streamTime >= p.next) {
        this.run(p, streamTime);
        while (p.next <= streamTime) p.next += p.interval;
      }
    }
  }

  /** Fires due wall-clock punctuators. */
  wallClock(now: number): void {
    for (const p of this.list) {
      if (p.cancelled || p.type !== 'wall-clock-time' || now < p.next) continue;
      this.run(p, now);
      while (p.next <= now) p.next += p.interval;
    }
  }

  private run(p: Punctuation, time: number): void {
    this.beforeRun();
    try {
      p.fn(time);
    } catch (error) {
      throw new FraudstreamError(
        'FS_PROCESSING',
        `punctuator of "${p.node.nodeName}" in task ${this.taskId} failed: ${(error as Error)?.message}`,
        { cause: error },
      );
    }
  }
}
