from django.db import connection


def query_count(get_response):
    """Adds `X-Bench-Queries: N` to every response (benchmark settings only)."""

    def middleware(request):
        calls = [0]

        def count(execute, sql, params, many, context):
            calls[0] += 1
            return execute(sql, params, many, context)

        with connection.execute_wrapper(count):
            response = get_response(request)
        response["X-Bench-Queries"] = str(calls[0])
        return response

    return middleware
