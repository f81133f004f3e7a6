import type { Server } from "http";

export interface Prediction {
  readonly label: "positive" | "negative";
  readonly score: number;
  readonly model: string;
}
export declare function predict(text: string): Prediction;
export declare function createServer(): Server;
