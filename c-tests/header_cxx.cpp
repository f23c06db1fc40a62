// The header compiles as C++ and its declarations are usable from C++.
#include "rivalguard.h"

#include <cstdio>
#include <cstring>

int main()
{
    rivalguard_tracker *tracker = nullptr;
    if (rivalguard_tracker_new(1, 100, &tracker) != 0) {
        return 1;
    }
    rivalguard_event_kind kind = RIVALGUARD_EVENT_NODE_LEFT;
    rivalguard_leave leave = RIVALGUARD_LEAVE_LOCAL_RIVAL;
    bool ok = std::strcmp(rivalguard_event_kind_name(kind), "NODE_LEFT") == 0 && leave == 1
              && rivalguard_tracker_node_count(tracker) == 0;
    rivalguard_tracker_free(tracker);
    std::printf("header_cxx: %d passed, %d failed\n", ok ? 1 : 0, ok ? 0 : 1);
    return ok ? 0 : 1;
}
