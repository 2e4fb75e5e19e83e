//! The protocol loop: open documents, requests answered from [`Document`],
//! diagnostics published on every open and change.

use super::{Document, TemplateWatch};
use lsp_server::{Connection, ErrorCode, Message, Notification, Request, Response};
use lsp_types::notification::{
    DidChangeTextDocument, DidCloseTextDocument, DidOpenTextDocument, Notification as _,
    PublishDiagnostics,
};
use lsp_types::request::{
    Completion, DocumentSymbolRequest, Formatting, GotoDefinition, HoverRequest, Request as _,
};
use lsp_types::{
    CompletionOptions, CompletionResponse, DocumentSymbolResponse, GotoDefinitionResponse,
    InitializeResult, OneOf, PositionEncodingKind, PublishDiagnosticsParams, ServerCapabilities,
    ServerInfo, TextDocumentSyncCapability, TextDocumentSyncKind,
};
use std::collections::HashMap;
use std::panic::{catch_unwind, AssertUnwindSafe};

type Error = Box<dyn std::error::Error + Send + Sync>;

/// Serves on stdin and stdout until the client says `exit` or closes stdin.
/// `templates`: the override folder (`archc lsp --templates DIR`).
pub fn run_stdio(templates: Option<std::path::PathBuf>) -> Result<(), Error> {
    let (connection, io_threads) = Connection::stdio();
    serve_with(&connection, TemplateWatch::new(templates))?;
    drop(connection);
    io_threads.join()?;
    Ok(())
}

pub fn capabilities() -> ServerCapabilities {
    ServerCapabilities {
        position_encoding: Some(PositionEncodingKind::UTF16),
        text_document_sync: Some(TextDocumentSyncCapability::Kind(TextDocumentSyncKind::FULL)),
        hover_provider: Some(lsp_types::HoverProviderCapability::Simple(true)),
        completion_provider: Some(CompletionOptions {
            trigger_characters: Some(vec![" ".into()]),
            ..Default::default()
        }),
        definition_provider: Some(OneOf::Left(true)),
        document_symbol_provider: Some(OneOf::Left(true)),
        document_formatting_provider: Some(OneOf::Left(true)),
        ..Default::default()
    }
}

/// Runs the server on a connection: the initialize handshake, then messages
/// until `shutdown` and `exit` (or until the connection closes).
pub fn serve(connection: &Connection) -> Result<(), Error> {
    serve_with(connection, TemplateWatch::default())
}

/// `serve`, with the template override folder of `watch` checked whenever a
/// design is opened or changed.
pub fn serve_with(connection: &Connection, mut watch: TemplateWatch) -> Result<(), Error> {
    let (id, _params) = connection.initialize_start()?;
    let result = InitializeResult {
        capabilities: capabilities(),
        server_info: Some(ServerInfo {
            name: "archc".into(),
            version: Some(env!("CARGO_PKG_VERSION").into()),
        }),
    };
    connection.initialize_finish(id, serde_json::to_value(result)?)?;
    let mut docs: HashMap<String, Document> = HashMap::new();
    for msg in &connection.receiver {
        match msg {
            Message::Request(req) => {
                if connection.handle_shutdown(&req)? {
                    return Ok(());
                }
                let id = req.id.clone();
                let resp =
                    catch_unwind(AssertUnwindSafe(|| request(&docs, req))).unwrap_or_else(|_| {
                        Response::new_err(
                            id,
                            ErrorCode::InternalError as i32,
                            "archc panicked answering this request; this is a bug".into(),
                        )
                    });
                connection.sender.send(Message::Response(resp))?;
            }
            Message::Notification(n) => {
                if n.method == "exit" {
                    return Ok(());
                }
                let published = catch_unwind(AssertUnwindSafe(|| {
                    let design = notification(&mut docs, n)?;
                    // Opened or changed (a close has no version).
                    let mut all = if design.version.is_some() {
                        watch.check(&design.uri)
                    } else {
                        Vec::new()
                    };
                    all.insert(0, design);
                    Some(all)
                }));
                for p in published.ok().flatten().unwrap_or_default() {
                    connection
                        .sender
                        .send(Message::Notification(Notification::new(
                            PublishDiagnostics::METHOD.into(),
                            p,
                        )))?;
                }
            }
            Message::Response(_) => {}
        }
    }
    Ok(())
}

/// Applies a document notification; returns the diagnostics to publish.
fn notification(
    docs: &mut HashMap<String, Document>,
    n: Notification,
) -> Option<PublishDiagnosticsParams> {
    match n.method.as_str() {
        DidOpenTextDocument::METHOD => {
            let p: lsp_types::DidOpenTextDocumentParams = serde_json::from_value(n.params).ok()?;
            let d = p.text_document;
            let doc = Document::new(d.uri.clone(), d.version, d.text);
            let out = publish(&doc);
            docs.insert(d.uri.as_str().to_string(), doc);
            Some(out)
        }
        DidChangeTextDocument::METHOD => {
            let p: lsp_types::DidChangeTextDocumentParams =
                serde_json::from_value(n.params).ok()?;
            let key = p.text_document.uri.as_str().to_string();
            let mut text = docs.get(&key).map(|d| d.text.clone()).unwrap_or_default();
            for change in p.content_changes {
                match change.range {
                    // Full sync is what we ask for; a ranged change is applied anyway.
                    Some(r) => {
                        let ix = super::position::LineIndex::new(&text);
                        let (a, b) = (ix.offset(&text, r.start), ix.offset(&text, r.end));
                        text.replace_range(a..b.max(a), &change.text);
                    }
                    None => text = change.text,
                }
            }
            let doc = Document::new(p.text_document.uri, p.text_document.version, text);
            let out = publish(&doc);
            docs.insert(key, doc);
            Some(out)
        }
        DidCloseTextDocument::METHOD => {
            let p: lsp_types::DidCloseTextDocumentParams = serde_json::from_value(n.params).ok()?;
            docs.remove(p.text_document.uri.as_str());
            Some(PublishDiagnosticsParams::new(
                p.text_document.uri,
                Vec::new(),
                None,
            ))
        }
        _ => None,
    }
}

fn publish(doc: &Document) -> PublishDiagnosticsParams {
    PublishDiagnosticsParams::new(doc.uri.clone(), doc.diagnostics(), Some(doc.version))
}

fn request(docs: &HashMap<String, Document>, req: Request) -> Response {
    let doc = |uri: &lsp_types::Uri| docs.get(uri.as_str());
    match req.method.as_str() {
        HoverRequest::METHOD => answer::<HoverRequest>(req, |p| {
            let at = p.text_document_position_params;
            doc(&at.text_document.uri)?.hover(at.position)
        }),
        Completion::METHOD => answer::<Completion>(req, |p| {
            let at = p.text_document_position;
            let items = doc(&at.text_document.uri)?.completion(at.position);
            Some(CompletionResponse::Array(items))
        }),
        GotoDefinition::METHOD => answer::<GotoDefinition>(req, |p| {
            let at = p.text_document_position_params;
            let loc = doc(&at.text_document.uri)?.definition(at.position)?;
            Some(GotoDefinitionResponse::Scalar(loc))
        }),
        DocumentSymbolRequest::METHOD => answer::<DocumentSymbolRequest>(req, |p| {
            let symbols = doc(&p.text_document.uri)?.symbols();
            Some(DocumentSymbolResponse::Nested(symbols))
        }),
        Formatting::METHOD => {
            answer::<Formatting>(req, |p| Some(doc(&p.text_document.uri)?.formatting()))
        }
        _ => Response::new_err(
            req.id,
            ErrorCode::MethodNotFound as i32,
            format!("archc does not answer {}", req.method),
        ),
    }
}

fn answer<R: lsp_types::request::Request>(
    req: Request,
    f: impl FnOnce(R::Params) -> R::Result,
) -> Response {
    match serde_json::from_value::<R::Params>(req.params) {
        Ok(p) => Response::new_ok(req.id, f(p)),
        Err(e) => Response::new_err(req.id, ErrorCode::InvalidParams as i32, e.to_string()),
    }
}
