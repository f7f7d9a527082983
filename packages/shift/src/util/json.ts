/** JSON-serialisable values (problem and criterion state in checkpoints). */
export type JsonValue = null | boolean | number | string | JsonValue[] | { [key: string]: JsonValue };
