/* view_source.h - where the source view looks for files: the command line's
 * --source-path and --trim-path (pprof's -source_path and -trim_path). */
#ifndef MT_UI_VIEW_SOURCE_H
#define MT_UI_VIEW_SOURCE_H

/* Sets the search and trim paths for every source view (borrowed: they
 * must live as long as the viewer, as argv does). NULL = pprof's defaults. */
void view_source_paths(const char *search_path, const char *trim_path);

#endif
