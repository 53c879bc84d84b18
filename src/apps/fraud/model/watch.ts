/**
 * Hot swap: watch a model file and install each new valid version without a restart. A file that
 * does not load (half-written, wrong format version or feature set, not a model) is refused and
 * the model in use keeps serving. The directory is watched, not the file, so a model replaced by
 * rename (`mv new.json model.json`, the safe way to publish one) is seen too.
 */
import { type FSWatcher, watch } from 'node:fs';
import path from 'node:path';
import { loadServingModel, type ServingModel } from './serving.ts';

export interface ModelSwap {
  from: string | null;
  to: string;
}

export interface ModelWatchOptions {
  /** the model serving now (compared by version, so a rewrite of the same model is not a swap) */
  current(): ServingModel | null;
  /** installs the new model; the watcher then closes the old one (ONNX sessions hold native memory) */
  install(model: ServingModel): void;
  onSwapped?(swap: ModelSwap): void;
  /** the file changed but did not load; the current model keeps serving */
  onRejected?(err: unknown): void;
  /** quiet period after the last change event before reading the file; default 250 ms */
  debounceMs?: number;
  /** default loadServingModel (by extension: .onnx → OnnxModel, else a GBDT artefact) */
  load?(file: string): Promise<ServingModel>;
}

export interface ModelWatch {
  /** resolves when the reloads triggered so far have finished (tests, shutdown) */
  settled(): Promise<void>;
  close(): void;
}

/**
 * @example
 *   const watch = watchModelFile('models/sparkov.json', {
 *     current: () => holder.current,
 *     install: (m) => holder.swap(m),
 *     onSwapped: ({ from, to }) => logger.info(`model ${from} → ${to}`),
 *     onRejected: (err) => logger.warn(`new model refused: ${err}`),
 *   });
 */
export function watchModelFile(file: string, options: ModelWatchOptions): ModelWatch {
  const abs = path.resolve(file);
  const base = path.basename(abs);
  const load = options.load ?? loadServingModel;
  const debounceMs = options.debounceMs ?? 250;
  let timer: NodeJS.Timeout | null = null;
  let closed = false;
  // one reload at a time, in order: a change during a load is read after it
  let chain: Promise<void> = Promise.resolve();

  const reload = async (): Promise<void> => {
    if (closed) return;
    let next: ServingModel;
    try {
      next = await load(abs);
    } catch (err) {
      if (!closed) options.onRejected?.(err);
      return;
    }
    const old = options.current();
    if (closed || old?.version === next.version) {
      next.close?.();
      return;
    }
    options.install(next);
    old?.close?.();
    options.onSwapped?.({ from: old?.version ?? null, to: next.version });
  };

  const watcher: FSWatcher = watch(path.dirname(abs), { persistent: false }, (_event, name) => {
    if (name !== null && name !== base) return;
    if (timer) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      chain = chain.then(reload);
    }, debounceMs);
  });

  return {
    settled: () => chain,
    close() {
      closed = true;
      if (timer) clearTimeout(timer);
      watcher.close();
    },
  };
}
