// The CLI bundle's entry (dist/cli/cli.cjs): the program, and what the build exercises before saving its code cache.
export { main } from './program.js';
export { exerciseForCodeCache } from './code-cache-exercise.js';
