import { fileURLToPath } from 'node:url';
import { type BundlingOptions, OutputFormat } from 'aws-cdk-lib/aws-lambda-nodejs';
import type { BuildOptions } from 'esbuild';
import type { Platform } from '../shared/core/events.js';

/**
 * How a bot is bundled: defined once, read by the stack (NodejsFunction `bundling`) and by the benchmark
 * (esbuild's `build()`), so what is measured is what is deployed.
 */
export const BOT_BUNDLE = {
  minify: true,
  sourcemap: false,
  target: 'node24',
  /** ESM, because the AWS SDK v3 and smithy tree-shake far better from their `module` builds. */
  format: 'esm',
  mainFields: ['module', 'main'],
  /** Bundled CommonJS dependencies call `require` for Node builtins, which ESM output does not define. */
  banner: "import{createRequire}from'module';const require=createRequire(import.meta.url);",
  /**
   * Nothing is external: the bundle carries the AWS SDK v3 we pinned instead of the runtime's copy, so a
   * runtime update cannot change the code that runs.
   */
  external: [],
} as const;

/** The file that stands in for modules a bot requires at load time but never uses. */
export const UNUSED_MODULE_STUB = fileURLToPath(new URL('./bundle-stubs/unused-module.cjs', import.meta.url));

/**
 * Modules replaced by {@link UNUSED_MODULE_STUB}, per platform. Bolt's `App` statically requires its HTTP
 * and Socket Mode receivers (and through them these modules) although the Lambda only uses
 * AwsLambdaReceiver; stubbing them cuts Bolt's load from about 170 ms to about 20 ms.
 */
export const UNUSED_MODULES: Readonly<Record<Platform, readonly string[]>> = {
  slack: ['@slack/socket-mode', '@slack/oauth', 'express', 'raw-body'],
  discord: [],
  telegram: [],
};

/** esbuild aliases for a platform: module name to the stub's absolute path. */
export function bundleAliases(platform: Platform): Record<string, string> {
  return Object.fromEntries(UNUSED_MODULES[platform].map((name) => [name, UNUSED_MODULE_STUB]));
}

/** NodejsFunction bundling for a bot (local esbuild, no Docker); the output is `index.mjs`. */
export function botBundling(platform: Platform): BundlingOptions {
  const aliases = Object.entries(bundleAliases(platform));
  return {
    minify: BOT_BUNDLE.minify,
    sourceMap: BOT_BUNDLE.sourcemap,
    target: BOT_BUNDLE.target,
    format: OutputFormat.ESM,
    mainFields: [...BOT_BUNDLE.mainFields],
    banner: BOT_BUNDLE.banner,
    bundleAwsSDK: true,
    externalModules: [...BOT_BUNDLE.external],
    // The CDK turns each `--alias:<name>` key into esbuild's `--alias:<name>=<path>` argument.
    esbuildArgs: Object.fromEntries(aliases.map(([name, path]) => [`--alias:${name}`, path])),
  };
}

/**
 * The same bundling as esbuild `build()` options, for the benchmark. `outfile` should end in `.mjs`, as the
 * Lambda's does, so Node loads it as ESM.
 */
export function esbuildOptions(platform: Platform, entry: string, outfile: string): BuildOptions {
  return {
    entryPoints: [entry],
    outfile,
    bundle: true,
    platform: 'node',
    minify: BOT_BUNDLE.minify,
    sourcemap: BOT_BUNDLE.sourcemap,
    target: BOT_BUNDLE.target,
    format: BOT_BUNDLE.format,
    mainFields: [...BOT_BUNDLE.mainFields],
    banner: { js: BOT_BUNDLE.banner },
    external: [...BOT_BUNDLE.external],
    alias: bundleAliases(platform),
  };
}
