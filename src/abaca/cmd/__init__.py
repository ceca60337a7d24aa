"""Console entry points."""

import warnings

# oslo.service (imported by oslo.messaging) warns about eventlet on import; Abaca uses
# threads and never eventlet, so the warning only confuses operators.
warnings.filterwarnings("ignore", message="\\s*Eventlet is deprecated")
