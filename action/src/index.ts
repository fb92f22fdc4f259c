/** Entry point of the bundled action: runs the step (actions/typescript-action layout). */
import { run } from './main.js';

await run();
