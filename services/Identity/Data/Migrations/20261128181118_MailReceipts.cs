using System;
using Microsoft.EntityFrameworkCore.Migrations;

#nullable disable

namespace SalesMind.Identity.Data.Migrations
{
    /// <inheritdoc />
    public partial class MailReceipts : Migration
    {
        /// <inheritdoc />
        protected override void Up(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.CreateTable(
                name: "email_message_states",
                columns: table => new
                {
                    source_message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    status = table.Column<string>(type: "character varying(20)", maxLength: 20, nullable: false),
                    diagnostic = table.Column<string>(type: "character varying(1000)", maxLength: 1000, nullable: true),
                    occurred_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_email_message_states", x => x.source_message_id);
                });

            migrationBuilder.CreateTable(
                name: "mail_receipts",
                columns: table => new
                {
                    token_hash = table.Column<byte[]>(type: "bytea", nullable: false),
                    source_message_id = table.Column<Guid>(type: "uuid", nullable: false),
                    expires_at = table.Column<DateTimeOffset>(type: "timestamp with time zone", nullable: false)
                },
                constraints: table =>
                {
                    table.PrimaryKey("pk_mail_receipts", x => x.token_hash);
                });

            migrationBuilder.CreateIndex(
                name: "ix_mail_receipts_expires_at",
                table: "mail_receipts",
                column: "expires_at");
        }

        /// <inheritdoc />
        protected override void Down(MigrationBuilder migrationBuilder)
        {
            migrationBuilder.DropTable(
                name: "email_message_states");

            migrationBuilder.DropTable(
                name: "mail_receipts");
        }
    }
}
