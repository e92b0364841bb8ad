/** Sets up how the pod's modules load (see loading.mjs). */
export declare function prepareLoading(): void;
