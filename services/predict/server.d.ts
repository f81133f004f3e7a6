import type { Server } from "http";

export interface Prediction {
  readonly label: "positive" | "negative";
  readonly score: number;
  readonly model: string;
}
/** A model version loaded from the trainer's parts. */
export interface LoadedModel {
  /** `<model name>/<execution>`: the folder's last two segments. */
  readonly name: string;
  /** Each word's weight, the mean over the parts. */
  readonly weights: ReadonlyMap<string, number>;
  readonly parts: number;
  readonly examples: number;
}
export interface ModelServer extends Server {
  /** Resolves once the model is loaded (undefined for the built-in list); rejects if loading failed. */
  readonly ready: Promise<LoadedModel | undefined>;
}
export interface ServerOptions {
  /** A model version folder written by services/train; without it, the built-in word list. */
  readonly modelPath?: string;
  /** Replaces {@link loadModel}. */
  readonly load?: (dir: string) => Promise<LoadedModel>;
  /** A drill's share of /predict requests answered with 503. @default faultRateOf(process.env.CANARY_DRILL_ERROR_RATE) */
  readonly faultRate?: number;
  /** Replaces Math.random (which requests the fault takes). */
  readonly random?: () => number;
}
/** CANARY_DRILL_ERROR_RATE read as a share: more than 0 and at most 1, else 0 (no fault). */
export declare function faultRateOf(value: string | undefined): number;
export declare function predict(text: string, model?: LoadedModel): Prediction;
export declare function loadModel(dir: string): Promise<LoadedModel>;
export declare function createServer(options?: ServerOptions): ModelServer;
