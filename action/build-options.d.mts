import type { BuildOptions } from 'esbuild';

/** Absolute path of the repository root (with a trailing separator). */
export declare const repoRoot: string;
/** esbuild options of the action bundle (paths relative to {@link repoRoot}). */
export declare const buildOptions: BuildOptions & { outdir: string };
