/** The back office lives under /biz/ (api/node.ts serves index.html for every path below it). */
export const BASE = '/biz';
