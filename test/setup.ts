// Imported first by every test file that needs the kernels.
import { init } from '../src/index.js';

await init();
