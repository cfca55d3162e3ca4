import sys

from gutbrain.site.build import main

sys.exit(main())
