export declare const REQUIRED_MAJOR: number;
export declare function wrongNodeLine(version?: string): string | null;
export declare function requireSupportedNode(): void;
