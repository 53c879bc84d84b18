/**
 * Bring your own model: an ONNX file (XGBoost / LightGBM / scikit-learn exported with
 * onnxmltools or skl2onnx, `zipmap=False`) served through `onnxruntime-node`, an OPTIONAL
 * dependency loaded with a dynamic import only when a `.onnx` model is configured.
 *
 * Contract of the file: one float tensor input of shape [N, FEATURE_COUNT] (or [1, FEATURE_COUNT])
 * taking our feature vector in FEATURE_NAMES order (NaN = missing), and a float output giving the
 * fraud probability: [N, 1] / [N], or class probabilities [N, 2] (column 1 is fraud). An output
 * named `probabilities` is preferred (the converters' name), else the first float tensor output.
 *
 * Scoring is synchronous because the stream scores one event inside its processing step: we call
 * the native session's synchronous `run` (the call `InferenceSession.run` itself makes inside a
 * setImmediate) instead of awaiting a promise per event.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { FraudstreamError } from '../../../errors.ts';
import { FEATURE_COUNT, FEATURE_NAMES } from '../features/vector.ts';
import { REASON_CODES, type Reason } from './fraud-model.ts';

/** The optional package, named once so the refusal message and the import agree. */
export const ONNX_RUNTIME_PACKAGE = 'onnxruntime-node';

interface OrtTensor {
  readonly data: ArrayLike<number | bigint>;
  readonly dims: readonly number[];
  readonly type: string;
}
type TensorCtor = new (type: string, data: Float32Array | Float64Array, dims: readonly number[]) => OrtTensor;
interface ValueMetadata {
  name: string;
  isTensor: boolean;
  /** −1 for a symbolic dimension (its name is in symbolicDimensions) */
  shape: number[];
  symbolicDimensions?: string[];
  type: number;
}
interface NativeSession {
  loadModel(buffer: ArrayBuffer, byteOffset: number, byteLength: number, options: object): void;
  readonly inputMetadata: ValueMetadata[];
  readonly outputMetadata: ValueMetadata[];
  run(
    feeds: Record<string, OrtTensor>,
    fetches: Record<string, null>,
    options: object,
  ): Record<string, OrtTensor>;
  dispose(): void;
}
interface Runtime {
  Tensor: TensorCtor;
  newSession(): NativeSession;
}

// ONNX TensorProto element types the input may have
const FLOAT = 1;
const DOUBLE = 11;

let runtime: Promise<Runtime> | undefined;

function invalid(source: string, what: string, cause?: unknown): FraudstreamError {
  return new FraudstreamError('FS_MODEL_INVALID', `model ${source}: ${what}`, { cause, details: { source } });
}

/** Imports onnxruntime-node (once); a clear FS_MODEL_INVALID when it is not installed. */
async function loadRuntime(source: string): Promise<Runtime> {
  runtime ??= (async () => {
    const ort = (await import(ONNX_RUNTIME_PACKAGE)) as { Tensor: TensorCtor };
    const native = (await import(`${ONNX_RUNTIME_PACKAGE}/dist/binding.js`)) as {
      binding: { InferenceSession: new () => NativeSession };
      initOrt(): void;
    };
    native.initOrt();
    return { Tensor: ort.Tensor, newSession: () => new native.binding.InferenceSession() };
  })();
  try {
    return await runtime;
  } catch (err) {
    runtime = undefined;
    const code = (err as { code?: string }).code;
    if (code !== 'ERR_MODULE_NOT_FOUND' && code !== 'MODULE_NOT_FOUND') {
      throw invalid(
        source,
        `${ONNX_RUNTIME_PACKAGE} is installed but does not load: ${(err as Error).message.split('\n')[0]}`,
        err,
      );
    }
    throw invalid(
      source,
      `ONNX models need the optional package ${ONNX_RUNTIME_PACKAGE}: install onnxruntime-node (ONNXRUNTIME_NODE_INSTALL=skip npm i onnxruntime-node — the CPU runtime ships in the npm package; skip only stops the CUDA download)`,
      err,
    );
  }
}

export interface OnnxModelOptions {
  /**
   * explain by occlusion: score the event once more per feature with that feature replaced by
   * its `baseline` value, in one batched run; reasons are the features whose replacement lowers
   * the score most (contribution = the drop in log-odds). Needs a model whose batch dimension is
   * dynamic. Default true.
   */
  occlusion?: boolean;
  /**
   * the "ordinary" value of each feature (FEATURE_NAMES order), e.g. training medians; default
   * NaN = missing, which is only informative when the model learned where missing values go
   */
  baseline?: ArrayLike<number>;
}

export class OnnxModel {
  /** `onnx:<file name>@<first 12 hex of the file's sha256>` */
  readonly version: string;
  readonly inputName: string;
  readonly outputName: string;
  private readonly session: NativeSession;
  private readonly Tensor: TensorCtor;
  private readonly inputType: 'float32' | 'float64';
  private readonly dynamicBatch: boolean;
  private readonly occlusion: boolean;
  private readonly baseline: Float64Array;
  private closed = false;

  private constructor(
    session: NativeSession,
    Tensor: TensorCtor,
    version: string,
    source: string,
    options: OnnxModelOptions,
  ) {
    this.session = session;
    this.Tensor = Tensor;
    this.version = version;
    const inputs = session.inputMetadata;
    if (inputs.length !== 1) {
      throw invalid(
        source,
        `has ${inputs.length} inputs (${inputs.map((i) => i.name).join(', ')}); one feature tensor is expected`,
      );
    }
    const input = inputs[0];
    if (!input.isTensor || (input.type !== FLOAT && input.type !== DOUBLE)) {
      throw invalid(source, `input "${input.name}" is not a float tensor`);
    }
    const width = input.shape[input.shape.length - 1];
    if (input.shape.length !== 2 || width !== FEATURE_COUNT) {
      throw invalid(
        source,
        `input "${input.name}" has shape [${input.shape.map((d, i) => (d < 0 ? input.symbolicDimensions?.[i] || 'N' : d)).join(', ')}]; this build's feature set needs [N, ${FEATURE_COUNT}] (${FEATURE_NAMES[0]} … ${FEATURE_NAMES[FEATURE_COUNT - 1]})`,
      );
    }
    this.inputName = input.name;
    this.inputType = input.type === DOUBLE ? 'float64' : 'float32';
    this.dynamicBatch = input.shape[0] < 0;
    const outputs = session.outputMetadata.filter(
      (o) => o.isTensor && (o.type === FLOAT || o.type === DOUBLE),
    );
    const output = outputs.find((o) => o.name === 'probabilities') ?? outputs[0];
    if (!output) {
      throw invalid(
        source,
        `no float tensor output (outputs: ${session.outputMetadata.map((o) => `${o.name}${o.isTensor ? '' : ' (not a tensor: export with zipmap=False)'}`).join(', ')})`,
      );
    }
    this.outputName = output.name;
    this.occlusion = (options.occlusion ?? true) && this.dynamicBatch;
    if (options.baseline && options.baseline.length !== FEATURE_COUNT) {
      throw new FraudstreamError(
        'FS_INVALID_ARGUMENT',
        `occlusion baseline has ${options.baseline.length} values; the feature set has ${FEATURE_COUNT}`,
      );
    }
    this.baseline = options.baseline
      ? Float64Array.from(options.baseline)
      : new Float64Array(FEATURE_COUNT).fill(Number.NaN);
  }

  /**
   * Load and check an ONNX model file.
   *
   * @example
   *   const model = await OnnxModel.load('models/lightgbm.onnx');
   *   const p = model.score(features);
   */
  static async load(file: string, options: OnnxModelOptions = {}): Promise<OnnxModel> {
    let bytes: Buffer;
    try {
      bytes = readFileSync(file);
    } catch (err) {
      throw new FraudstreamError('FS_NOT_FOUND', `model file ${file} cannot be read`, { cause: err });
    }
    const rt = await loadRuntime(file);
    const session = rt.newSession();
    try {
      session.loadModel(bytes.buffer as ArrayBuffer, bytes.byteOffset, bytes.byteLength, {});
    } catch (err) {
      // a session whose load failed has nothing to dispose (dispose would throw)
      throw invalid(file, `onnxruntime cannot load it: ${(err as Error).message.split('\n')[0]}`, err);
    }
    const digest = createHash('sha256').update(bytes).digest('hex').slice(0, 12);
    try {
      return new OnnxModel(session, rt.Tensor, `onnx:${path.basename(file)}@${digest}`, file, options);
    } catch (err) {
      session.dispose();
      throw err;
    }
  }

  /** Fraud probabilities of `rows` feature vectors laid out row-major in `x`. */
  scoreBatch(x: ArrayLike<number>, rows: number): Float64Array {
    if (this.closed) throw new FraudstreamError('FS_MODEL_INVALID', `model ${this.version} is closed`);
    const data = this.inputType === 'float64' ? Float64Array.from(x) : Float32Array.from(x);
    const feeds = { [this.inputName]: new this.Tensor(this.inputType, data, [rows, FEATURE_COUNT]) };
    const out = this.session.run(feeds, { [this.outputName]: null }, {})[this.outputName];
    const columns = out.dims.length >= 2 ? out.dims[out.dims.length - 1] : 1;
    const fraudColumn = columns >= 2 ? 1 : 0;
    const scores = new Float64Array(rows);
    for (let r = 0; r < rows; r++) scores[r] = Number(out.data[r * columns + fraudColumn]);
    return scores;
  }

  score(features: ArrayLike<number>): number {
    return this.scoreBatch(features, 1)[0];
  }

  /** Occlusion reasons (see OnnxModelOptions.occlusion); [] when disabled. */
  explain(features: ArrayLike<number>, topK = 3): Reason[] {
    if (!this.occlusion || topK <= 0) return [];
    const n = FEATURE_COUNT;
    const x = new Float64Array((n + 1) * n);
    for (let r = 0; r <= n; r++) {
      for (let f = 0; f < n; f++) x[r * n + f] = features[f];
      if (r > 0) x[r * n + r - 1] = this.baseline[r - 1];
    }
    const s = this.scoreBatch(x, n + 1);
    // in log-odds, like the GBDT's contributions: a probability near 1 would squash every drop
    const logit = (p: number) => {
      const q = Math.min(Math.max(p, 1e-12), 1 - 1e-12);
      return Math.log(q / (1 - q));
    };
    const base = logit(s[0]);
    const reasons: Reason[] = [];
    for (let f = 0; f < n; f++) {
      const drop = base - logit(s[f + 1]);
      if (!Number.isNaN(features[f]) && !Object.is(features[f], this.baseline[f]) && drop > 0) {
        const name = FEATURE_NAMES[f];
        reasons.push({
          code: REASON_CODES[name] ?? name.toUpperCase(),
          feature: name,
          value: features[f],
          contribution: drop,
        });
      }
    }
    return reasons.sort((a, b) => b.contribution - a.contribution).slice(0, topK);
  }

  close(): void {
    if (this.closed) return;
    this.closed = true;
    this.session.dispose();
  }
}
