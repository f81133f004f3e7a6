#!/usr/bin/env node
/**
 * The package's bin, `npx cdktf-cloud-run check …` / `guard …` (cli.ts). It loads neither cdktf
 * nor the provider bindings, so it runs where none of the package's peers are installed.
 */
import { main } from "./cli";

void main();
