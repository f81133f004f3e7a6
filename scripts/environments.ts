/**
 * npm run -s environments
 *
 * Prints the environments as a JSON array for a GitHub Actions matrix, in promotion order
 * (environments that are not production first, then production; by name within each):
 * [{"environment":"dev","project":"acme-ml-dev"}, …]. The list comes from the files in
 * environments/, so adding a file adds it to the pipeline.
 */
import { environmentFiles } from "../environments";
import { parseEnvironmentConfig } from "../lib/config";

const configs = environmentFiles().map((f) => parseEnvironmentConfig(f.config));
configs.sort((a, b) => Number(a.production ?? false) - Number(b.production ?? false) || a.name.localeCompare(b.name));
process.stdout.write(JSON.stringify(configs.map((c) => ({ environment: c.name, project: c.project }))) + "\n");
