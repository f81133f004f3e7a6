/**
 * npm run -s environments [-- --stage development|preproduction|production]
 *
 * Prints the environments as a JSON array for a GitHub Actions matrix:
 * [{"environment":"dev","project":"acme-ml-dev"}, …], all of them or one promotion stage's. The
 * list comes from the files in environments/, so adding a file adds it to the pipeline.
 */
import { environmentMatrix } from "../lib/app/environments";

const i = process.argv.indexOf("--stage");
const stage = i >= 0 ? process.argv[i + 1] : "all";
const matrix = environmentMatrix();
if (!(stage in matrix)) {
  console.error(`--stage must be one of ${Object.keys(matrix).join(", ")}; got ${stage}`);
  process.exit(2);
}
process.stdout.write(JSON.stringify(matrix[stage as keyof typeof matrix]) + "\n");
