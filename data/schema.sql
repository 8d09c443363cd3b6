-- memtop's store, schema version 4 (PRAGMA user_version).
--
-- Functions, locations, mappings and stacks are stored once and shared by
-- every snapshot. A stack is the sequence of its location ids, leaf first,
-- as unsigned LEB128 varints, found again by hashes of that encoding that
-- importers keep in memory (cheaper than keeping an index up to date).
-- A snapshot's samples are stored in chunks of up to 65,536 samples, one
-- row per chunk: a row per sample cost more to write than the parse of the
-- profile itself (version 1 did that; src/store.c migrates it).
--
-- Unsigned 64-bit numbers (addresses, mapping bounds) are stored as the
-- signed integer with the same bits. Times are nanoseconds since the epoch.
-- Changing this file means adding a migration in src/store.c, never editing
-- a released version in place.
--
-- PRAGMA application_id marks the file as memtop's ("mtop"): memtop opens
-- only an empty database, one with this id, or a memtop database from
-- before it (a user_version and memtop's tables), which it then stamps.

PRAGMA application_id = 1836347248;

CREATE TABLE mapping (
	id INTEGER PRIMARY KEY,
	start INTEGER NOT NULL,
	lim INTEGER NOT NULL,
	off INTEGER NOT NULL,
	file TEXT NOT NULL,
	build_id TEXT NOT NULL,
	flags INTEGER NOT NULL -- 1 functions, 2 filenames, 4 line numbers, 8 inline frames
);

CREATE TABLE function (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,
	system_name TEXT NOT NULL,
	filename TEXT NOT NULL,
	start_line INTEGER NOT NULL
);

-- lines: per line, innermost inlined function first: varint function id + 1
-- (0 = none), zigzag varint line number.
CREATE TABLE location (
	id INTEGER PRIMARY KEY,
	mapping INTEGER,          -- NULL: none
	address INTEGER NOT NULL,
	folded INTEGER NOT NULL,
	lines BLOB NOT NULL
);

-- Stacks in blocks of up to 65,536 consecutive stack ids, one row per
-- block (id is the block's first stack id): a row per stack cost more to
-- write than the parse of the profile. locs: per stack a varint (byte
-- length + 1; 0 for a stack removed as unused), then its location ids, leaf
-- first, as varints. Importers hash every stack when they open the
-- database (two independent 64-bit hashes, as likely to match falsely as a
-- 128-bit one) and dedupe new stacks against that in memory.
CREATE TABLE stack (
	id INTEGER PRIMARY KEY,
	n INTEGER NOT NULL,
	locs BLOB NOT NULL
);

CREATE TABLE snapshot (
	id INTEGER PRIMARY KEY AUTOINCREMENT, -- never reused: @ID stays unambiguous
	hash TEXT NOT NULL UNIQUE,  -- SHA-256 of the bytes as read or fetched
	source TEXT NOT NULL,       -- file path or URL
	kind TEXT NOT NULL,         -- heap, allocs, goroutine, mutex, block, ...
	format INTEGER NOT NULL,    -- enum mt_format of the reader
	time INTEGER NOT NULL,      -- capture time
	stored INTEGER NOT NULL,    -- when it was imported
	sample_types BLOB NOT NULL, -- type NUL unit NUL, per sample type
	default_type TEXT NOT NULL,
	period_type TEXT NOT NULL,
	period_unit TEXT NOT NULL,
	period INTEGER NOT NULL,
	time_nanos INTEGER NOT NULL, -- the profile's own fields, as read
	duration_nanos INTEGER NOT NULL,
	drop_frames TEXT NOT NULL,
	keep_frames TEXT NOT NULL,
	comments BLOB NOT NULL,     -- NUL-terminated strings
	mappings BLOB NOT NULL,     -- varint mapping ids, in the profile's order
	strings BLOB NOT NULL,      -- NUL-terminated label strings; index 0 is ""
	nsample INTEGER NOT NULL,
	total INTEGER NOT NULL      -- pprof's total of the default sample type
);
CREATE INDEX snapshot_time ON snapshot (time);

-- A chunk of a snapshot's samples, in their order (seq 0, 1, ...):
-- stacks: a varint stack id per sample; vals: zigzag varints, one per
-- sample type per sample; labels: per sample a varint count, then per label
-- varint key, varint flags (1 = num), then zigzag num and varint unit, or
-- varint str (strings index the snapshot's strings); NULL when no sample of
-- the chunk has labels. exact (version 4): NULL, or the estimates vals were
-- truncated from when a reader keeps them (jemalloc's unsampled values,
-- summed before truncation as jeprof does), one per sample type per sample,
-- 8-byte IEEE 754 doubles, little endian.
CREATE TABLE chunk (
	snapshot INTEGER NOT NULL,
	seq INTEGER NOT NULL,
	n INTEGER NOT NULL,
	stacks BLOB NOT NULL,
	vals BLOB NOT NULL,
	labels BLOB,
	exact BLOB,
	PRIMARY KEY (snapshot, seq)
);

-- Time series stored beside the snapshots (version 3; src/metrics.c):
-- expvar memstats of a scraped /debug/vars URL, /proc figures of a process
-- ("pid:N"), cycles of a gctrace log (its path). A point per series and
-- time: storing the same moment again keeps the first value.
CREATE TABLE series (
	id INTEGER PRIMARY KEY,
	name TEXT NOT NULL,         -- memstats.HeapInuse, proc.rss_bytes, ...
	source TEXT NOT NULL,       -- URL, pid:N or file path
	UNIQUE (name, source)
);

CREATE TABLE point (
	series INTEGER NOT NULL,
	time INTEGER NOT NULL,
	value REAL NOT NULL,
	PRIMARY KEY (series, time)
) WITHOUT ROWID;
