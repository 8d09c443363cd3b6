/* view_timeline.h - view 5, the snapshots and metrics over time. */
#ifndef MT_UI_VIEW_TIMELINE_H
#define MT_UI_VIEW_TIMELINE_H

#include "view.h"

extern const struct view_ops view_timeline_ops;

#endif
