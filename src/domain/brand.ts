/** A nominal type: values of `Brand<string, 'X'>` are made only by the parse function that owns 'X'. */
export type Brand<T, B extends string> = T & { readonly __brand: B };
