from painadvisor.cli import main

main()
