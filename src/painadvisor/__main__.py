from painadvisor.cli.entry import main

main()
