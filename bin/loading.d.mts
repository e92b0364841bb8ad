/** Sets up how the pod's modules load (see loading.mjs). */
export declare function prepareLoading(): void;

interface ResolveContext {
  parentURL?: string;
  conditions?: readonly string[];
  importAttributes?: Record<string, string>;
}

/** Package imports resolved before, kept in `directory` for the packages installed in `project`. */
export declare function resolutionCache(
  directory: string | undefined,
  project?: URL,
): {
  keyOf(specifier: string, context: ResolveContext): string | undefined;
  get(key: string): { url: string; format?: string } | undefined;
  set(key: string, answer: { url: string; format?: string | null }): void;
  save(): void;
};
