export type * from './connectors.ts';
export type * from './functions.ts';
export * from './nodes.ts';
export * from './output-tag.ts';
export type * from './state.ts';
export type * from './watermarks.ts';
export type * from './windows.ts';
