// Every unit test file in one jest test file (see bundle.ts): `npm run test:unit`.
import { loadUnitTests } from "./bundle";

loadUnitTests();
