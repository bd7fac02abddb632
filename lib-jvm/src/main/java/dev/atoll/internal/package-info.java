/**
 * Internals shared by every Atoll structure: hash spreading, table sizing, argument checks,
 * {@code VarHandle} array access, and the ordered collision bucket. Not exported; not an API.
 */
package dev.atoll.internal;
