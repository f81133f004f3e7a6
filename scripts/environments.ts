/**
 * npm run -s environments
 *
 * Prints the environments as a JSON array for a GitHub Actions matrix, in promotion order:
 * [{"environment":"dev","project":"acme-ml-dev"}, …]. The list comes from the files in
 * environments/, so adding a file adds it to the pipeline.
 */
import { environmentMatrix } from "../environments";

process.stdout.write(JSON.stringify(environmentMatrix()) + "\n");
