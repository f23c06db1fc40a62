/* A panic inside the library never crosses the C boundary: built against
 * a library with the `testing-panic` feature, rivalguard_testing_force_panic()
 * panics inside the guard; the host must get ENOTRECOVERABLE, keep running,
 * see the panic only through its log handler (nothing on stderr), and the
 * library must keep working afterwards. */
#include <errno.h>
#include <string.h>
#include <syslog.h>

#include "rivalguard.h"
#include "check.h"

int rivalguard_testing_force_panic(void);   /* test-only export, not in the header */

static int crit_logged;
static char crit_message[512];

static void on_log(int priority, const char *message, void *user_data)
{
    (void) user_data;
    if (priority == LOG_CRIT) {
        crit_logged++;
        strncpy(crit_message, message, sizeof(crit_message) - 1);
    }
}

int main(void)
{
    struct rivalguard_tracker *t = NULL;

    rivalguard_set_log_handler(on_log, NULL);
    CHECK(rivalguard_testing_force_panic() == ENOTRECOVERABLE);
    CHECK(crit_logged == 1);
    CHECK(strstr(crit_message, "forced by rivalguard_testing_force_panic") != NULL);
    CHECK(rivalguard_testing_force_panic() == ENOTRECOVERABLE);   /* and again */
    CHECK(crit_logged == 2);
    CHECK(rivalguard_tracker_new(1, 100, &t) == 0);                /* still works */
    rivalguard_tracker_free(t);
    return check_summary("panic_test");
}
