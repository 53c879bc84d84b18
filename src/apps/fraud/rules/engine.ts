/**
 * The rules engine: a set of compiled rule packs, loaded from YAML/JSON files, reloaded when a
 * file changes (debounced; a bad new version is rejected and the old one kept) and replaceable
 * through the API. Evaluation always sees one consistent version of each pack.
 */
import { type FSWatcher, watch } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import pino from 'pino';
import YAML from 'yaml';
import { FraudstreamError } from '../../../errors.ts';
import { CompiledRulePack, compileRulePack } from './pack.ts';
import type { FeatureRecord, RulePackDoc, RulePackResult, RulePackVersion } from './types.ts';

/** What the engine logs through; a pino logger fits. */
export interface RulesLogger {
  info(obj: object, msg: string): void;
  warn(obj: object, msg: string): void;
}

export type ReloadEvent =
  | { ok: true; version: RulePackVersion; previous: RulePackVersion | null }
  | { ok: false; source: string; error: FraudstreamError; kept: RulePackVersion | null };

export interface RulesEngineOptions {
  logger?: RulesLogger;
  /** quiet period after the last change event before re-reading a watched file */
  debounceMs?: number;
}

/** Parses the text of a rule-pack file (YAML, of which JSON is a subset). */
export function parseRulePackText(text: string, source: string): unknown {
  try {
    return YAML.parse(text);
  } catch (err) {
    throw new FraudstreamError(
      'FS_RULES_INVALID',
      `${source}: not valid YAML/JSON: ${(err as Error).message}`,
      {
        cause: err,
        details: { source },
      },
    );
  }
}

/**
 * Reads, parses and compiles a rule-pack file: either one pack document or a bundle
 * `{ packs: [doc, doc, ...] }` (what `fraud.rulesFile` points at).
 */
export async function loadRulePacks(file: string): Promise<CompiledRulePack[]> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (err) {
    throw new FraudstreamError('FS_RULES_INVALID', `${file}: cannot read rule-pack file`, {
      cause: err,
      details: { source: file },
    });
  }
  const doc = parseRulePackText(text, file);
  if (typeof doc === 'object' && doc !== null && 'packs' in doc) {
    const keys = Object.keys(doc);
    if (keys.length !== 1) {
      throw new FraudstreamError(
        'FS_RULES_INVALID',
        `${file}: a bundle holds only "packs" (got ${keys.join(', ')})`,
      );
    }
    const packs = (doc as { packs: unknown }).packs;
    if (!Array.isArray(packs) || packs.length === 0) {
      throw new FraudstreamError(
        'FS_RULES_INVALID',
        `${file}: packs: must be a non-empty list of rule packs`,
      );
    }
    const compiled = packs.map((p, i) => compileRulePack(p, `${file}#packs[${i}]`));
    const ids = new Set<string>();
    for (const c of compiled) {
      if (ids.has(c.id.pack))
        throw new FraudstreamError('FS_RULES_INVALID', `${file}: pack "${c.id.pack}" appears twice`);
      ids.add(c.id.pack);
    }
    return compiled;
  }
  return [compileRulePack(doc, file)];
}

/** Reads, parses and compiles a file holding exactly one rule pack. */
export async function loadRulePackFile(file: string): Promise<CompiledRulePack> {
  const packs = await loadRulePacks(file);
  if (packs.length !== 1)
    throw new FraudstreamError('FS_RULES_INVALID', `${file}: holds ${packs.length} packs, expected one`);
  return packs[0];
}

/**
 * @example
 *   const engine = await RulesEngine.fromFiles(['rules/seed001-points.yaml'], { watch: true });
 *   const results = engine.evaluate({ amount: 6200, event_time: Date.now(), txn_count_30m: 7 });
 *   const v = engine.replace(newDoc); // { pack, version, hash, source: '<api>' }
 */
export class RulesEngine {
  readonly #packs = new Map<string, CompiledRulePack>();
  #ordered: CompiledRulePack[] = [];
  readonly #watchers = new Map<string, { watcher: FSWatcher; timer: NodeJS.Timeout | null }>();
  readonly #listeners = new Set<(event: ReloadEvent) => void>();
  readonly #logger: RulesLogger;
  readonly #debounceMs: number;
  /** file reloads run one after another so an older read never overwrites a newer one */
  #reloadChain: Promise<unknown> = Promise.resolve();

  constructor(packs: CompiledRulePack[] = [], options: RulesEngineOptions = {}) {
    this.#logger = options.logger ?? pino({ name: 'fraudstream.rules' });
    this.#debounceMs = options.debounceMs ?? 100;
    for (const p of packs) this.#install(p);
  }

  /** Loads every file (failing on the first invalid one) and optionally watches them. */
  static async fromFiles(
    files: string[],
    options: RulesEngineOptions & { watch?: boolean } = {},
  ): Promise<RulesEngine> {
    const packs = (await Promise.all(files.map(loadRulePacks))).flat();
    const engine = new RulesEngine(packs, options);
    if (options.watch) for (const f of files) engine.watch(f);
    return engine;
  }

  /** Evaluates every pack, in load order. */
  evaluate(record: FeatureRecord): RulePackResult[] {
    const packs = this.#ordered;
    const out = new Array<RulePackResult>(packs.length);
    for (let i = 0; i < packs.length; i++) out[i] = packs[i].evaluate(record);
    return out;
  }

  pack(id: string): CompiledRulePack | undefined {
    return this.#packs.get(id);
  }

  versions(): RulePackVersion[] {
    return this.#ordered.map((p) => p.id);
  }

  /**
   * Validates and installs a pack document, replacing the pack with the same id (or adding it).
   * Throws `FS_RULES_INVALID` and keeps the current version when the document is bad.
   */
  replace(doc: unknown, source = '<api>'): RulePackVersion {
    const compiled = compileRulePack(doc, source);
    const previous = this.#install(compiled);
    this.#emit({ ok: true, version: compiled.id, previous });
    return compiled.id;
  }

  /**
   * Validates a pack document or a bundle `{ packs: [...] }` completely, then installs every pack
   * in it (nothing is installed when any pack is invalid). Returns the installed versions.
   */
  replaceDocument(doc: unknown, source = '<api>'): RulePackVersion[] {
    const docs =
      typeof doc === 'object' && doc !== null && 'packs' in doc ? (doc as { packs: unknown }).packs : [doc];
    if (!Array.isArray(docs) || docs.length === 0) {
      throw new FraudstreamError(
        'FS_RULES_INVALID',
        `${source}: packs: must be a non-empty list of rule packs`,
      );
    }
    const compiled = docs.map((d, i) =>
      compileRulePack(d, docs.length === 1 ? source : `${source}#packs[${i}]`),
    );
    const ids = new Set(compiled.map((c) => c.id.pack));
    if (ids.size !== compiled.length)
      throw new FraudstreamError('FS_RULES_INVALID', `${source}: a pack id appears twice`);
    for (const c of compiled) {
      const previous = this.#install(c);
      this.#emit({ ok: true, version: c.id, previous });
    }
    return compiled.map((c) => c.id);
  }

  /**
   * Every loaded pack as one bundle document, with a combined version string
   * (`pack@version+hash,…`): what `GET /api/v1/rules` returns.
   */
  snapshot(): { version: string; document: { packs: RulePackDoc[] } } {
    return {
      version: this.#ordered.map((p) => `${p.id.pack}@${p.id.version}+${p.id.hash}`).join(','),
      document: { packs: this.#ordered.map((p) => p.doc as RulePackDoc) },
    };
  }

  /**
   * Re-reads a file now; on error every pack of the file keeps its loaded version and the error
   * is reported. Resolves with one event per changed pack (none when nothing changed).
   */
  async reloadFile(file: string): Promise<ReloadEvent[]> {
    let compiled: CompiledRulePack[];
    try {
      compiled = await loadRulePacks(file);
    } catch (err) {
      const error =
        err instanceof FraudstreamError
          ? err
          : new FraudstreamError('FS_RULES_INVALID', String(err), { cause: err });
      const kept =
        this.#ordered.find((p) => p.id.source === file || p.id.source.startsWith(`${file}#`))?.id ?? null;
      const event: ReloadEvent = { ok: false, source: file, error, kept };
      this.#logger.warn(
        { source: file, code: error.code, err: error.message, kept },
        'rule pack rejected; keeping the loaded version',
      );
      this.#emit(event);
      return [event];
    }
    const events: ReloadEvent[] = [];
    for (const pack of compiled) {
      const current = this.#packs.get(pack.id.pack);
      if (current && current.id.hash === pack.id.hash) continue;
      const previous = this.#install(pack);
      this.#logger.info({ ...pack.id, previous }, 'rule pack reloaded');
      events.push({ ok: true, version: pack.id, previous });
    }
    for (const e of events) this.#emit(e);
    return events;
  }

  /** Watches a file (through its directory, so editors that replace files are seen). */
  watch(file: string): void {
    const abs = path.resolve(file);
    if (this.#watchers.has(abs)) return;
    const base = path.basename(abs);
    const entry: { watcher: FSWatcher; timer: NodeJS.Timeout | null } = {
      watcher: watch(path.dirname(abs), { persistent: false }, (_event, name) => {
        if (name !== null && name !== base) return;
        if (entry.timer) clearTimeout(entry.timer);
        entry.timer = setTimeout(() => {
          entry.timer = null;
          this.#reloadChain = this.#reloadChain.then(() => this.reloadFile(file));
        }, this.#debounceMs);
      }),
      timer: null,
    };
    this.#watchers.set(abs, entry);
  }

  /** Subscribes to reload outcomes (file and API); returns the unsubscribe function. */
  onReload(listener: (event: ReloadEvent) => void): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  close(): void {
    for (const { watcher, timer } of this.#watchers.values()) {
      if (timer) clearTimeout(timer);
      watcher.close();
    }
    this.#watchers.clear();
  }

  #install(pack: CompiledRulePack): RulePackVersion | null {
    const previous = this.#packs.get(pack.id.pack)?.id ?? null;
    this.#packs.set(pack.id.pack, pack);
    // Copy-on-write so an evaluation in progress keeps the array it started with.
    this.#ordered = previous
      ? this.#ordered.map((p) => (p.id.pack === pack.id.pack ? pack : p))
      : [...this.#ordered, pack];
    return previous;
  }

  #emit(event: ReloadEvent): void {
    for (const l of this.#listeners) l(event);
  }
}

export { CompiledRulePack };

/**
 * The `rules` dependency of the operations server (src/server/types.ts): GET returns the
 * snapshot, PUT validates and installs a pack or a bundle.
 * @example
 *   createServer({ ...deps, rules: rulesApi(engine) });
 */
export function rulesApi(engine: RulesEngine): {
  get(): { version: string; document: unknown };
  put(document: unknown): Promise<{ version: string; document: unknown }>;
} {
  return {
    get: () => engine.snapshot(),
    put: async (document) => {
      engine.replaceDocument(document);
      return engine.snapshot();
    },
  };
}
