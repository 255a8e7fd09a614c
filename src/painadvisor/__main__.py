from painadvisor.entry import main

main()
