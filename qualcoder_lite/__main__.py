from qualcoder_lite.cli import main

raise SystemExit(main())
