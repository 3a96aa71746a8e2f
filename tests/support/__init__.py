"""What tests share: clients and error checks for the API, the permission tables' world,
query counting, races between threads, child processes (web, worker, Redis) and a mail server."""
