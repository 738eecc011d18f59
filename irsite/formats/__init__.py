"""Date and time formats of the staff's screens (``FORMAT_MODULE_PATH``): one format, the
desk's "2026-12-06 22:10:33 EST", wherever Django prints a time by itself (read-only fields,
inlines, history), as `irsite.times.local_time` and `releases.times.zoned` print the others.
Readers' pages name their own formats (`releases.times.READER_TIME`) and do not use these."""
