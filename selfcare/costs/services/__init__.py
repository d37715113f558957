"""Writes of Costi Online (SPEC F-TRE-2, F-X-1, F-X-3): cost centres, holders, lines' assignments.

Every service takes the caller's Scope, checks Cap.COSTS_MANAGE, runs in one transaction, writes
an audit event and gives the changed lines and the company new cache versions
(selfcare.lines.cache.touch), so no cached page shows an old holder or cost centre.
"""
