// Types of es-toolkit.mjs: the same functions as es-toolkit's.
export { curry, delay, isEqual, pascalCase, uniq, withTimeout } from "es-toolkit";
